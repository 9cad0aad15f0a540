/** The SQL of the cross-checks routes (flags, reviews, rules, imports); values are always bind parameters. Row-level security limits every one to the caller's area. */

const FLAG_COLUMNS = `f.id, f.rule, f.state, f.village_code AS "villageCode", v.name AS "villageName", h.ref::text AS "householdRef", m.name_masked AS member,
  NULLIF(f.year, 0) AS year, f.score, f.reasons, f.evidence,
  to_char(f.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt", f.decided_by_username AS "decidedBy",
  to_char(f.decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "decidedAt", f.note`

const FLAG_FROM = `FROM xc_flag f
LEFT JOIN admin_area v ON v.code = f.village_code
LEFT JOIN household h ON h.id = f.household_id
LEFT JOIN member m ON m.id = f.member_id`

/** $1 area, $2 rule or NULL, $3 state or NULL, $4 limit, $5 offset: cross-check flags (not the mis-identification leads), newest first. */
export const FLAG_PAGE = `SELECT ${FLAG_COLUMNS}, count(*) OVER ()::int AS total
${FLAG_FROM}
WHERE starts_with(f.village_code, $1) AND f.rule NOT IN ('misid_in', 'misid_out')
  AND ($2::text IS NULL OR f.rule = $2) AND ($3::text IS NULL OR f.state = $3)
ORDER BY f.id DESC
LIMIT $4 OFFSET $5`

/** $1 area, $2 year, $3 kind or NULL, $4 state or NULL, $5 limit, $6 offset: mis-identification leads, best score first. */
export const MISID_PAGE = `SELECT ${FLAG_COLUMNS}, count(*) OVER ()::int AS total
${FLAG_FROM}
WHERE starts_with(f.village_code, $1) AND f.rule IN ('misid_in', 'misid_out') AND f.year = $2
  AND ($3::text IS NULL OR f.rule = $3) AND ($4::text IS NULL OR f.state = $4)
ORDER BY f.score DESC, f.id
LIMIT $5 OFFSET $6`

/** $1 flag id: the flag, when the caller's area holds it. */
export const FLAG_BY_ID = `SELECT ${FLAG_COLUMNS} ${FLAG_FROM} WHERE f.id = $1`

/**
 * $1 flag id, $2 new state, $3 note, $4 user id, $5 username: the decision, when the flag is still open. The
 * database checks that the caller decides in its own name, in its area, in a role that decides (migration 0017).
 */
export const DECIDE = `UPDATE xc_flag SET state = $2, note = $3, decided_by = $4, decided_by_username = $5, decided_at = now()
WHERE id = $1 AND state = 'open'
RETURNING id, village_code AS "villageCode", rule`

/** $1 flag id, $2 village, $3 state, $4 note, $5 user id, $6 username: the review's history row. */
export const INSERT_REVIEW = `INSERT INTO xc_flag_review (flag_id, village_code, state, note, decided_by, decided_by_username) VALUES ($1, $2, $3, $4, $5, $6)`

/** $1 area: flags by rule and state (the rules' confirmation rates). */
export const RULE_COUNTS = `SELECT rule, count(*) FILTER (WHERE state = 'open')::int AS open, count(*) FILTER (WHERE state = 'confirmed')::int AS confirmed,
  count(*) FILTER (WHERE state = 'cleared')::int AS cleared
FROM xc_flag WHERE starts_with(village_code, $1) GROUP BY rule`

/** $1 area: the imports for the area, those above it that cover it, and those below it; newest first. */
export const IMPORT_LIST = `SELECT id::int, registry, area_code AS area, file_name AS "fileName", format, rows, matched, imported_by_username AS "importedBy",
  to_char(imported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "importedAt", superseded_by IS NULL AS current
FROM xc_import WHERE starts_with(area_code, $1) OR starts_with($1, area_code)
ORDER BY id DESC LIMIT 200`
