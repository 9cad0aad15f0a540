/**
 * The SQL of the registry workflow's routes, in one place. Values are always bind parameters; the only
 * fragments put together are constants of this module (sort orders). Reads run as the caller: row-level
 * security (migration 0012) limits every table to the caller's area. Writes are the database functions.
 */
import { HOUSEHOLD_SORTS } from '../../domain/schemas/registry.js'

const TIME = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`

/** ORDER BY of the household list per sort (ties by ref: a stable page order). */
export const HOUSEHOLD_ORDER: Record<(typeof HOUSEHOLD_SORTS)[number], string> = {
  village: 'h.village_code, h.ref',
  '-village': 'h.village_code DESC, h.ref',
  status: 'y.status, h.ref',
  '-status': 'y.status DESC, h.ref',
  size: 'h.size, h.ref',
  '-size': 'h.size DESC, h.ref',
  income: 'y.income_per_capita, h.ref',
  '-income': 'y.income_per_capita DESC, h.ref',
  updated: 'h.updated_at, h.ref',
  '-updated': 'h.updated_at DESC, h.ref',
}

/**
 * $1 area, $2 year, $3 normalised filter ({ status, cause, gapmask } as the households tile layer takes it),
 * $4 q or NULL, $5 limit, $6 offset: one page of the household list with the total. ORDER BY from HOUSEHOLD_ORDER.
 */
export const householdPage = (order: string) => `WITH m AS (
  SELECT h.id, h.ref, h.village_code, h.size, h.main_cause, h.attribute, h.version, h.updated_at, h.outside_boundary_reason,
         y.year, y.status, y.income_per_capita,
         assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok) AS gaps,
         count(*) OVER () AS total
  FROM household h
  JOIN household_year y ON y.household_id = h.id AND y.year = $2
  WHERE starts_with(h.village_code, $1)
    AND household_filter_matches($3::jsonb, y.status, h.main_cause, assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok))
    AND ($4::text IS NULL OR starts_with(h.village_code, $4) OR starts_with(h.ref::text, lower($4))
         OR EXISTS (SELECT 1 FROM admin_area v WHERE v.code = h.village_code AND strpos(v.name, $4) > 0))
  ORDER BY ${order}
  LIMIT $5 OFFSET $6
)
SELECT m.ref::text AS ref, m.village_code AS "villageCode", v.name AS "villageName", m.year, m.status, m.main_cause AS "mainCause",
  m.attribute, m.size, m.income_per_capita AS "incomePerCapita", m.gaps, m.version, ${TIME('m.updated_at')} AS "updatedAt",
  m.outside_boundary_reason IS NOT NULL AS "outsideBoundary", m.total::int AS total,
  (SELECT count(*) FROM change_request r WHERE r.household_id = m.id AND r.state IN ('pending', 'rejected'))::int AS "openRequests"
FROM m JOIN admin_area v ON v.code = m.village_code
ORDER BY ${order.replace(/\bh\.|\by\./g, 'm.')}`

/** $1 same filters as householdPage but no page: the total when the page is past the end. */
export const HOUSEHOLD_COUNT = `SELECT count(*)::int AS total
FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = $2
WHERE starts_with(h.village_code, $1)
  AND household_filter_matches($3::jsonb, y.status, h.main_cause, assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok))
  AND ($4::text IS NULL OR starts_with(h.village_code, $4) OR starts_with(h.ref::text, lower($4))
       OR EXISTS (SELECT 1 FROM admin_area v WHERE v.code = h.village_code AND strpos(v.name, $4) > 0))`

// ---- workflow (the database functions of migration 0012) -----------------------------------------------------------
export const PROPOSE = `SELECT povmap_cr_propose($1, $2::uuid, $3, $4::jsonb, $5::jsonb, $6, $7::uuid[], $8) AS id`
export const DECIDE = `SELECT povmap_cr_decide($1, $2, $3, $4) AS state`
export const RESUBMIT = `SELECT povmap_cr_resubmit($1, $2::jsonb, $3::jsonb, $4, $5, $6::uuid[], $7) AS state`
export const WITHDRAW = `SELECT povmap_cr_withdraw($1, $2) AS state`
export const OBJECT = `SELECT povmap_cr_object($1, $2, $3) AS id`
export const RESOLVE = `SELECT povmap_cr_resolve($1, $2, $3, $4) AS state`
export const REFRESH = `SELECT povmap_cr_refresh($1, $2)`

/** $1 household ref: its current values (personal fields masked), when the caller sees it. */
export const HOUSEHOLD_VALUES = `SELECT povmap_cr_values(h.id) AS v FROM household h WHERE h.ref = $1::uuid`
/** $1 change request id: the current values of its household and the request's state, when the caller sees them. */
export const REQUEST_HOUSEHOLD_VALUES = `SELECT COALESCE(povmap_cr_values(r.household_id), '{}'::jsonb) || jsonb_build_object('requestState', r.state) AS v
FROM change_request r WHERE r.id = $1`
/** $1 household id, $2 year or NULL. */
export const HOUSEHOLD_VALUES_BY_ID = `SELECT povmap_cr_values($1, $2) AS v`

const SUMMARY = `r.id, r.kind, r.state, r.household_ref::text AS target, r.area_code AS "areaCode", COALESCE(v.name, r.area_code) AS "villageName", r.reason,
  r.proposed_by AS "proposedById", r.proposed_by_username AS "proposedByUsername", r.proposed_by_role AS "proposedByRole",
  ${TIME('r.proposed_at')} AS "proposedAt", ${TIME('r.updated_at')} AS "updatedAt",
  r.current_step AS "currentStep", s.action AS "stepAction", s.role AS "stepRole", ${TIME('r.notice_ends_at')} AS "noticeEndsAt",
  (SELECT count(*) FROM change_request_objection o WHERE o.request_id = r.id AND o.round = r.round AND o.resolved_at IS NULL)::int AS "openObjections"`

/** $1 request id: the request as the caller sees it (proposed values masked). */
export const REQUEST_BY_ID = `SELECT ${SUMMARY}, r.household_id AS "householdId", r.base_version AS "baseVersion", r.changes_masked AS changes,
  r.attachments::text[] AS attachments, r.round, ${TIME('r.applied_at')} AS "appliedAt", r.applied_version AS "appliedVersion", r.before
FROM change_request r
LEFT JOIN admin_area v ON v.code = r.area_code
LEFT JOIN review_chain_step s ON s.kind = r.kind AND s.no = r.current_step
WHERE r.id = $1`

export const CHAIN = `SELECT no, action, role, notice_days AS "noticeDays" FROM review_chain_step WHERE kind = $1 ORDER BY no`
export const CHAINS = `SELECT kind, no, action, role, notice_days AS "noticeDays" FROM review_chain_step ORDER BY kind, no`
export const STEPS = `SELECT no, action, decision, by_id AS "byId", by_username AS "byUsername", by_role AS "byRole", ${TIME('at')} AS at, comment, round
FROM change_request_step WHERE request_id = $1 ORDER BY id`
export const OBJECTIONS = `SELECT id, step_no AS step, text, recorded_by AS "recordedById", recorded_by_username AS "recordedByUsername", recorded_by_role AS "recordedByRole",
  ${TIME('at')} AS at, resolution, resolved_by AS "resolvedById", resolved_by_username AS "resolvedByUsername", resolved_by_role AS "resolvedByRole",
  ${TIME('resolved_at')} AS "resolvedAt"
FROM change_request_objection WHERE request_id = $1 ORDER BY id`

/**
 * $1 queue (waiting|mine|area), $2 caller's user id, $3 caller's role, $4 state or NULL, $5 kind or NULL, $6 household ref or
 * NULL, $7 limit, $8 offset. waiting: pending requests of others at a step of the caller's role — a review or approval, the
 * step after a notice that is over with no open objection, or (township and county officers) a notice with an open objection.
 */
export const REQUEST_LIST = `WITH q AS (
  SELECT ${SUMMARY}, count(*) OVER () AS total
  FROM change_request r
  LEFT JOIN admin_area v ON v.code = r.area_code
  LEFT JOIN review_chain_step s ON s.kind = r.kind AND s.no = r.current_step
  LEFT JOIN review_chain_step n ON n.kind = r.kind AND n.no = r.current_step + 1
  WHERE ($4::text IS NULL OR r.state = $4) AND ($5::text IS NULL OR r.kind = $5) AND ($6::uuid IS NULL OR r.household_ref = $6::uuid)
    AND CASE $1
      WHEN 'mine' THEN r.proposed_by = $2
      WHEN 'area' THEN true
      ELSE r.state = 'pending' AND r.proposed_by <> $2 AND (
        (s.action <> 'notice' AND s.role = $3)
        OR (s.action = 'notice' AND r.notice_ends_at <= now() AND n.role = $3
            AND NOT EXISTS (SELECT 1 FROM change_request_objection o WHERE o.request_id = r.id AND o.round = r.round AND o.resolved_at IS NULL))
        OR (s.action = 'notice' AND $3 IN ('township_officer', 'county_officer')
            AND EXISTS (SELECT 1 FROM change_request_objection o WHERE o.request_id = r.id AND o.round = r.round AND o.resolved_at IS NULL)))
    END
  ORDER BY r.updated_at DESC, r.id DESC
  LIMIT $7 OFFSET $8
)
SELECT * FROM q ORDER BY "updatedAt" DESC, id DESC`

/** $1 household ref: its history, oldest first. */
export const HISTORY = `SELECT ${TIME('at')} AS at, request_id AS "requestId", kind, version, proposed_by AS "proposedBy", steps, field, before, after
FROM household_history WHERE household_ref = $1::uuid ORDER BY id`

/** $1 household ref: id, village and version, when the caller sees the household. */
export const HOUSEHOLD_HEAD = `SELECT id, village_code AS village, version FROM household WHERE ref = $1::uuid`
/** $1 household ref: whether a history of it exists in the caller's area (a removed household keeps its history). */
export const HISTORY_AREA = `SELECT area_code AS village FROM household_history WHERE household_ref = $1::uuid LIMIT 1`

/** $1 household id: its assistance measures. */
export const MEASURES = `SELECT id, family, title, cadre, amount_yuan AS "amountYuan", to_char(start_date, 'YYYY-MM-DD') AS "startDate",
  to_char(target_date, 'YYYY-MM-DD') AS "targetDate", status, notes, ${TIME('updated_at')} AS "updatedAt"
FROM assistance_measure WHERE household_id = $1 ORDER BY start_date, id`
