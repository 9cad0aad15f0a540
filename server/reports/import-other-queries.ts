/**
 * The SQL of project and indicator-value imports (issue 19). Planning reads on the owner's connection after
 * the server checked the importer's role and area; writing goes through the owner-rights functions of
 * migration 0024 in the importer's own transaction (they check role and area again).
 */

/**
 * $1 codes, $2 geometries (GeoJSON, WGS84), $3 village codes ('' none), $4 county codes ('' none), $5 the
 * importer's area (NULL: anywhere), parallel arrays: per position (1-based) whether the geometry is valid,
 * the county and village under it, whether the named village and county exist and the village holds the
 * geometry, whether the importer's area covers it, and the project already registered with that code.
 */
export const PROJECT_CHECKS = `SELECT t.i::int AS i,
  ST_IsValid(g.geom) AS valid,
  CASE WHEN ST_IsValid(g.geom) THEN (SELECT a.code FROM admin_area a WHERE a.level = 'county' AND ST_Intersects(a.geom, ST_PointOnSurface(g.geom)) ORDER BY a.code LIMIT 1) END AS "countyAt",
  v.code IS NOT NULL AS "villageExists",
  CASE WHEN ST_IsValid(g.geom) AND v.code IS NOT NULL THEN ST_Intersects(v.geom, g.geom) END AS "inVillage",
  EXISTS (SELECT 1 FROM admin_area c WHERE c.code = t.county AND c.level = 'county') AS "countyExists",
  CASE WHEN $5::text IS NULL THEN true WHEN ST_IsValid(g.geom) THEN COALESCE((SELECT ST_Covers(s.geom, g.geom) FROM admin_area s WHERE s.code = $5::text), false) ELSE false END AS "inScope",
  p.id, p.name, p.type, p.stage, p.year, p.budget_yuan AS budget, p.spent_yuan AS spent, p.county_code AS "countyCode", p.village_code AS "villageCode",
  p.beneficiary_households AS households, p.beneficiary_villages AS villages,
  CASE WHEN p.id IS NOT NULL THEN ST_OrderingEquals(p.geom, g.geom) END AS "sameGeometry",
  CASE WHEN p.id IS NOT NULL THEN replace(ST_GeometryType(p.geom), 'ST_', '') END AS "oldType",
  CASE WHEN p.id IS NOT NULL THEN ST_NPoints(p.geom) END AS "oldPoints"
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(code, geojson, village, county, i)
CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_GeomFromGeoJSON(t.geojson), 4326) AS geom) g
LEFT JOIN admin_area v ON v.code = t.village AND v.level = 'village'
LEFT JOIN project p ON p.code = t.code
ORDER BY t.i`

/** Writes projects for the session caller (migration 0024): $1 the rows as JSON. */
export const PROJECT_IMPORT = `SELECT povmap_project_import($1::jsonb) AS n`

/** The indicator system: what an indicator cell may name (code or Chinese name). */
export const INDICATOR_DEFS = `SELECT code, name_zh AS "nameZh", unit, level FROM indicator_def`

/** $1 village codes, $2 village names: the villages with such a code or name (names may repeat). */
export const INDICATOR_VILLAGES = `SELECT code, name FROM admin_area WHERE level = 'village' AND (code = ANY ($1::text[]) OR name = ANY ($2::text[]))`

/** $1 villages, $2 indicators, $3 years (parallel): the values stored for these keys. */
export const INDICATOR_EXISTING = `SELECT v.area_code AS "villageCode", v.indicator_code AS indicator, v.year, v.value
FROM unnest($1::text[], $2::text[], $3::int[]) AS t(village, indicator, year)
JOIN indicator_value v ON v.area_code = t.village AND v.indicator_code = t.indicator AND v.year = t.year`

/** Writes indicator values for the session caller (migration 0024): $1 the rows as JSON. */
export const INDICATOR_IMPORT = `SELECT povmap_indicator_import($1::jsonb) AS n`

/** $1 kind, $2 area, $3 rows, $4 create, $5 change, $6 unchanged: a batch applied at once (row-level security: the importer's own). */
export const APPLIED_BATCH = `INSERT INTO import_batch (kind, area_code, mode, rows, creates, changes, unchanged, created_by, created_by_username)
SELECT $1, $2, 'applied', $3, $4, $5, $6, c.user_id, c.username FROM povmap_session_caller() c RETURNING id`
