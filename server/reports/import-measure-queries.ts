/**
 * The SQL of assistance-measure imports (issue 19). Planning reads on the owner's connection (it matches ID
 * numbers, which the request role cannot read) after the server checked the importer's role and area; nothing
 * read here is answered unmasked. Writing goes through the workflow's functions as the importer.
 */

/** $1 head ID numbers, $2 household refs: the households they name (by a member's ID number, or the ref). */
export const MEASURE_HOUSEHOLDS = `SELECT m.id_number AS "idNumber", NULL::text AS ref_in, h.id::float8 AS id, h.ref::text AS ref, h.village_code AS "villageCode", h.version
FROM member m JOIN household h ON h.id = m.household_id WHERE m.id_number = ANY ($1::text[])
UNION ALL
SELECT NULL, h.ref::text, h.id::float8, h.ref::text, h.village_code, h.version FROM household h WHERE h.ref::text = ANY ($2::text[])`

/** $1 household ids: their measures, with the texts of their progress notes. */
export const MEASURE_EXISTING = `SELECT a.id, a.household_id::float8 AS "householdId", a.family, a.title, a.cadre, a.amount_yuan AS "amountYuan",
  to_char(a.start_date, 'YYYY-MM-DD') AS "startDate", to_char(a.target_date, 'YYYY-MM-DD') AS "targetDate", a.status,
  ARRAY(SELECT n ->> 'text' FROM jsonb_array_elements(a.notes) n) AS notes
FROM assistance_measure a WHERE a.household_id = ANY ($1::bigint[]) ORDER BY a.id`

/** $1 household ids: measure requests still under review (family, start date), so that a file sent twice files nothing new. */
export const MEASURE_PENDING = `SELECT r.household_id::float8 AS "householdId", r.changes ->> 'family' AS family, r.changes ->> 'startDate' AS "startDate"
FROM change_request r WHERE r.kind = 'measure.upsert' AND r.state = 'pending' AND r.household_id = ANY ($1::bigint[])`

/** The province administrator's measure, applied at once (migration 0028): $1 ref, $2 version, $3 changes, $4 masked, $5 reason. */
export const MEASURE_APPLY = `SELECT povmap_import_apply_measure($1::uuid, $2, $3::jsonb, $4::jsonb, $5) AS id`

/** A county, township or village office's measure, as a pending change request: $1 ref, $2 version, $3 changes, $4 masked, $5 reason, $6 notice days. */
export const MEASURE_PROPOSE = `SELECT povmap_cr_propose('measure.upsert', $1::uuid, $2, $3::jsonb, $4::jsonb, $5, '{}'::uuid[], $6) AS id`
