/** The SQL of the households API (popup, members, reveal, export), in one place. Values are always bind parameters. */

/**
 * $1 household ref (the opaque UUID of URLs), $2 year: the popup's fields. The column list is explicit: never the phone, and
 * member names and ID numbers are not read at all.
 */
export const HOUSEHOLD_POPUP = `SELECT h.id, h.ref::text AS ref, h.village_code AS "villageCode", v.name AS "villageName", h.size, h.attribute,
  h.identification_standard AS "identificationStandard", h.registered_year AS "registeredYear",
  h.main_cause AS "mainCause", h.other_causes AS "otherCauses",
  h.housing_area_m2 AS "housingAreaM2", h.housing_structure AS "housingStructure", h.housing_safety AS "housingSafety", h.relocated,
  h.water_source AS "waterSource", h.water_difficulty AS "waterDifficulty", h.road_hardened AS "roadHardened", h.km_to_market AS "kmToMarket",
  y.year, y.status, y.income_per_capita AS "incomePerCapita",
  y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok,
  ARRAY[round(ST_X(h.geom)::numeric, 6)::float8, round(ST_Y(h.geom)::numeric, 6)::float8] AS at,
  h.version, to_char(h.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "updatedAt", h.outside_boundary_reason AS "outsideBoundaryReason",
  h.cooking_fuel AS "cookingFuel", h.land_paddy_mu AS "landPaddyMu", h.land_dry_mu AS "landDryMu", h.land_forest_mu AS "landForestMu"
FROM household h
JOIN admin_area v ON v.code = h.village_code
LEFT JOIN household_year y ON y.household_id = h.id AND y.year = $2
WHERE h.ref = $1::uuid`

export const HOUSEHOLD_HISTORY = `SELECT year, status FROM household_year WHERE household_id = $1 ORDER BY year`

/** $1 household id: member counts only (no names, no ID numbers). */
export const MEMBER_COUNTS = `SELECT count(*)::int AS count,
  (count(*) FILTER (WHERE labour IN ('ordinary', 'skilled')))::int AS labour,
  (count(*) FILTER (WHERE in_school IS NOT NULL))::int AS "inSchool",
  (count(*) FILTER (WHERE health IN ('chronic', 'serious')))::int AS ill,
  (count(*) FILTER (WHERE health = 'disabled'))::int AS disabled,
  (count(*) FILTER (WHERE migrant_months > 0))::int AS migrant,
  (count(*) FILTER (WHERE medical_insurance))::int AS "medicalInsurance"
FROM member WHERE household_id = $1`

/** $1 village code, $2 year: projects of the household's village up to that year. */
export const VILLAGE_PROJECTS = `SELECT id, name, type, stage, year FROM project WHERE village_code = $1 AND year <= $2 ORDER BY year, id LIMIT 20`

/** $1 household ref: what the members routes need of the household (its masked phone, never the original). */
export const HOUSEHOLD_CONTACT = `SELECT h.id, h.ref::text AS ref, h.village_code AS "villageCode", h.phone_masked AS phone FROM household h WHERE h.ref = $1::uuid`

/** $1 household id: its members, names and ID numbers masked. */
export const MEMBER_LIST = `SELECT (row_number() OVER (ORDER BY m.id))::int AS no, m.name_masked AS name, m.id_number_masked AS "idNumber", m.sex,
  m.relation, m.ethnicity, m.birth_year AS "birthYear", m.schooling, m.in_school AS "inSchool", m.health, m.labour,
  m.migrant_months AS "migrantMonths", m.dibao, m.wubao, m.medical_insurance AS "medicalInsurance", m.pension
FROM member m WHERE m.household_id = $1 ORDER BY m.id`

/** $1 household ref, $2 reason: the originals; the database function checks the role and scope and writes the audit entry. */
export const REVEAL_MEMBERS = `SELECT phone, member_no AS no, name, id_number AS "idNumber" FROM povmap_reveal_household($1::uuid, $2)`

/** $1 area code, $2 year, $3 row limit, $4 the households layer's normalised filter (tile-filters.ts): the masked export (no names or ID numbers). */
export const HOUSEHOLD_EXPORT = `SELECT h.ref::text AS ref, h.village_code, v.name AS village, y.year, y.status, h.main_cause, h.size, h.attribute,
  round(y.income_per_capita::numeric, 0)::float8 AS income_per_capita,
  assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok) AS gaps,
  h.housing_safety, h.phone_masked AS phone, round(ST_X(h.geom)::numeric, 4)::float8 AS lon, round(ST_Y(h.geom)::numeric, 4)::float8 AS lat
FROM household h
JOIN household_year y ON y.household_id = h.id AND y.year = $2
JOIN admin_area v ON v.code = h.village_code
WHERE starts_with(h.village_code, $1)
  AND household_filter_matches($4::jsonb, y.status, h.main_cause, assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok))
ORDER BY h.village_code, h.id
LIMIT $3`

/** $1 household ref: its village, when the caller may see the household (row-level security). */
export const HOUSEHOLD_VILLAGE = `SELECT village_code AS village FROM household WHERE ref = $1::uuid`
