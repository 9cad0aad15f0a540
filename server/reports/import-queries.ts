/**
 * The SQL of imports. Planning reads on the owner's connection (it compares ID numbers, which the request
 * role cannot read) after the server checked the importer's role and area; nothing read here is answered
 * unmasked. Writing goes through the batch functions of migration 0023 in the importer's own transaction.
 */

/** $1 village codes: those that exist. */
export const IMPORT_VILLAGES = `SELECT code FROM admin_area WHERE code = ANY ($1::text[]) AND level = 'village'`

/** $1 village codes, $2 lons, $3 lats (parallel arrays): the 1-based positions whose point lies outside its village. */
export const IMPORT_LOCATIONS_OUTSIDE = `SELECT t.i::int AS i
FROM unnest($1::text[], $2::float8[], $3::float8[]) WITH ORDINALITY AS t(code, lon, lat, i)
JOIN admin_area a ON a.code = t.code
WHERE NOT ST_Covers(a.geom, ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326))`

/** $1 ID numbers, $2 the year of each (parallel): the registered members with these ID numbers, their household and its year. */
export const IMPORT_EXISTING_MEMBERS = `SELECT t.id AS "idNumber", m.household_id::float8 AS "householdId", h.ref::text AS ref, h.village_code AS "villageCode", h.version,
  (SELECT count(*) FROM member x WHERE x.household_id = m.household_id AND x.id <= m.id)::int AS no,
  m.name, m.sex, m.relation, m.ethnicity, m.schooling, m.health, m.labour,
  h.attribute, h.identification_standard AS "identificationStandard", h.main_cause AS "mainCause", h.phone,
  round(ST_X(h.geom)::numeric, 7)::float8 AS lon, round(ST_Y(h.geom)::numeric, 7)::float8 AS lat, y.income_per_capita AS "incomePerCapita"
FROM unnest($1::text[], $2::int[]) AS t(id, year)
JOIN member m ON m.id_number = t.id
JOIN household h ON h.id = m.household_id
LEFT JOIN household_year y ON y.household_id = h.id AND y.year = t.year`

/** $1 JSON [{ kind, target, baseVersion, changes, masked }]: appended to the transaction's staged operations (migration 0023). */
export const IMPORT_STAGE = `SELECT povmap_import_stage($1::jsonb) AS n`

/** The batch is one statement (a county's registry: tens of seconds), longer than a request's usual limit. */
export const IMPORT_LONG_STATEMENT = `SET LOCAL statement_timeout = '10min'`

/** The staged operations applied at once by the province administrator, with history: $1 reason. The requests' ids. */
export const IMPORT_APPLY_BATCH = `SELECT povmap_import_apply_batch($1) AS ids`

/** The staged operations as pending change requests: $1 reason, $2 notice days. The requests' ids. */
export const IMPORT_PROPOSE_BATCH = `SELECT povmap_import_propose_batch($1, $2) AS ids`

/** $1 kind, $2 area, $3 mode, $4 rows, $5 create, $6 change, $7 unchanged: a batch (row-level security: the importer's own). */
export const BATCH_INSERT = `INSERT INTO import_batch (kind, area_code, mode, rows, creates, changes, unchanged, created_by, created_by_username)
SELECT $1, $2, $3, $4, $5, $6, $7, c.user_id, c.username FROM povmap_session_caller() c RETURNING id`

/** $1 batch, $2 request ids. */
export const BATCH_REQUESTS = `UPDATE import_batch SET request_ids = $2::int[] WHERE id = $1`

/** $1 ID numbers: those named as members by a household creation still under review (an import sent twice). */
export const IMPORT_PENDING_CREATES = `SELECT DISTINCT e ->> 'idNumber' AS id
FROM change_request r CROSS JOIN LATERAL jsonb_array_elements(r.changes -> 'members') AS e
WHERE r.state IN ('pending', 'rejected') AND r.kind = 'household.create' AND e ->> 'idNumber' = ANY ($1::text[])`
