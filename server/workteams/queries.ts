/** The SQL of work teams, wishes and data-quality counters (issue 16), in one place. Values are always bind parameters. */

const day = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`
/** Active on the day the statement runs. */
const active = (t: string) => `(${t}.started_on <= current_date AND (${t}.ended_on IS NULL OR ${t}.ended_on >= current_date))`

/** $1 area code: the area as the caller sees it (row-level security), for its name and level. */
export const AREA_HEAD = `SELECT code, name, level FROM admin_area WHERE code = $1`

/** $1 area code: the areas one level down, as the caller sees them. */
export const AREA_CHILDREN = `SELECT code, name FROM admin_area WHERE parent_code = $1 ORDER BY code`

/**
 * $1 area code: each village of the area with its team (work_team: readable by every data role of the
 * area) and its counts of cadres, pairings and households (povmap_village_teams: counts, never who).
 */
export const VILLAGE_TEAMS = `SELECT a.code, a.name, a.poverty_designated AS poverty,
  t.dispatched_by AS "dispatchedBy", t.resident, ${day('t.started_on')} AS "startedOn", ${day('t.ended_on')} AS "endedOn",
  COALESCE(t.village_code IS NOT NULL AND ${active('t')}, false) AS "activeTeam",
  COALESCE(t.village_code IS NOT NULL AND t.resident AND ${active('t')}, false) AS "residentTeam",
  c.cadres, c.paired_households AS "pairedHouseholds", c.households
FROM povmap_village_teams($1) c
JOIN admin_area a ON a.code = c.code
LEFT JOIN work_team t ON t.village_code = c.code
ORDER BY a.code`

/** Cadre columns (the phone masked; the request role cannot read the original), with their pairings. */
const CADRE = `m.id::int AS id, m.role, m.name, m.unit, m.phone_masked AS phone, ${day('m.started_on')} AS "startedOn", ${day('m.ended_on')} AS "endedOn",
  (SELECT count(*) FROM household_pairing p WHERE p.cadre_id = m.id)::int AS "pairedHouseholds"`

/** $1 area code: the cadres of its villages (registry roles only: row-level security gives others none). */
export const AREA_CADRES = `SELECT m.village_code AS "villageCode", ${CADRE}
FROM work_team_member m
WHERE starts_with(m.village_code, $1) AND ${active('m')}
ORDER BY m.village_code, CASE m.role WHEN 'first_secretary' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, m.id`

/** $1 household ref: the household (row-level security: only in the caller's area). */
export const WISH_HOUSEHOLD = `SELECT h.id, h.ref::text AS ref, h.village_code AS "villageCode" FROM household h WHERE h.ref = $1::uuid`

/** $1 household id: its wishes, oldest first. */
export const HOUSEHOLD_WISHES = `SELECT w.id::int AS id, w.kind, w.note, ${day('w.recorded_on')} AS "recordedOn", w.status
FROM household_wish w WHERE w.household_id = $1 ORDER BY w.recorded_on, w.id`

/** $1 household id: the cadre paired with it. */
export const HOUSEHOLD_CADRE = `SELECT ${CADRE} FROM household_pairing p0 JOIN work_team_member m ON m.id = p0.cadre_id WHERE p0.household_id = $1`

/**
 * $1 area code, $2 code length of the rows (the children's, or the area's own for a village), $3 year:
 * the data-quality counters summed per area (povmap_village_quality, tiles/layers/quality/data_quality.sql).
 */
export const QUALITY_BY_AREA = `SELECT left(q.code, $2) AS code,
  COALESCE(sum(q.households), 0)::int AS households, COALESCE(sum(q.outside), 0)::int AS "outsideVillage",
  COALESCE(sum(q.bad_ids), 0)::int AS "invalidIdMembers", COALESCE(sum(q.size_mismatch), 0)::int AS "sizeMismatch",
  COALESCE(sum(q.not_updated), 0)::int AS "notUpdated", COALESCE(sum(q.no_team), 0)::int AS "povertyVillagesWithoutTeam"
FROM povmap_village_quality($1, NULL::text[], $3) q
GROUP BY 1`

/** $1 area code, $2 code length, $3 days: change requests waiting longer, per area (none before the workflow's table exists). */
export const WAITING_BY_AREA = `SELECT code, waiting FROM povmap_waiting_requests($1, $2, $3)`
