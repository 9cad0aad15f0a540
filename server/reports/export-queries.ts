/** The SQL of the registry export (what the caller sees: masked columns only). Values are bind parameters. */

/**
 * $1 area, $2 year, $3 row limit, $4 the households layer's normalised filter (tile-filters.ts). The household's
 * head (or first member) by masked name and ID number; the phone masked; row-level security keeps the rows
 * in the caller's area (the request role cannot read the unmasked columns at all).
 */
export const REGISTRY_EXPORT = `SELECT h.ref::text AS ref, h.village_code AS "villageCode", v.name AS village, t.name AS township, c.name AS county,
  y.year, y.status, h.main_cause AS "mainCause", h.attribute, h.size,
  round(y.income_per_capita::numeric, 0)::float8 AS "incomePerCapita",
  assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok) AS gaps,
  h.housing_safety AS "housingSafety", h.phone_masked AS phone, hd.name_masked AS "headName", hd.id_number_masked AS "headIdNumber",
  round(ST_X(h.geom)::numeric, 6)::float8 AS lon, round(ST_Y(h.geom)::numeric, 6)::float8 AS lat
FROM household h
JOIN household_year y ON y.household_id = h.id AND y.year = $2
JOIN admin_area v ON v.code = h.village_code
LEFT JOIN admin_area t ON t.code = left(h.village_code, 9)
LEFT JOIN admin_area c ON c.code = left(h.village_code, 6)
LEFT JOIN LATERAL (SELECT m.name_masked, m.id_number_masked FROM member m WHERE m.household_id = h.id ORDER BY (m.relation = 'head') DESC, m.id LIMIT 1) hd ON true
WHERE starts_with(h.village_code, $1)
  AND household_filter_matches($4::jsonb, y.status, h.main_cause, assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok))
ORDER BY h.village_code, h.id
LIMIT $3`

/** $1 area: whether the division exists (and is visible). */
export const EXPORT_AREA = `SELECT name FROM admin_area WHERE code = $1`

/** $1 area: its bounding box [w, s, e, n] (row-level security: the caller's area or above it). */
export const EXPORT_AREA_BOUNDS = `SELECT ARRAY[ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)]::float8[] AS bbox FROM admin_area WHERE code = $1`
