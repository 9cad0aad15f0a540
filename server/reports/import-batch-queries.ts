/**
 * The SQL of import-batch review (issue 19). Everything runs as the caller (row-level security): a reviewer
 * reads a batch when one of its requests is in their area (migration 0028) and only those requests.
 */

/** $1 area, $2 caller's role, $3 caller's id: batches with requests in the area (or made for it), newest first. */
export const BATCH_LIST = `SELECT b.id, b.kind, b.mode, b.area_code AS "areaCode", b.created_by AS "createdById", b.created_by_username AS "createdBy",
  to_char(b.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt", b.rows, b.creates, b.changes, b.unchanged,
  COALESCE((SELECT jsonb_object_agg(s.state, s.n) FROM (SELECT r.state, count(*)::int AS n FROM change_request r WHERE r.id = ANY (b.request_ids) AND starts_with(r.area_code, $1) GROUP BY r.state) s), '{}'::jsonb) AS states,
  (SELECT count(*)::int FROM change_request r JOIN review_chain_step s ON s.kind = r.kind AND s.no = r.current_step
   WHERE r.id = ANY (b.request_ids) AND starts_with(r.area_code, $1) AND r.state = 'pending' AND s.action <> 'notice' AND s.role = $2 AND r.proposed_by <> $3) AS waiting
FROM import_batch b
WHERE b.mode = 'requests' AND (starts_with(b.area_code, $1) OR EXISTS (SELECT 1 FROM change_request r WHERE r.id = ANY (b.request_ids) AND starts_with(r.area_code, $1)))
ORDER BY b.id DESC LIMIT 200`

/** $1 batch id: the batch when the caller may read it. */
export const BATCH_BY_ID = `SELECT b.id, b.kind, b.mode, b.area_code AS "areaCode", b.created_by AS "createdById", b.created_by_username AS "createdBy",
  to_char(b.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt", b.rows, b.creates, b.changes, b.unchanged, b.request_ids AS "requestIds"
FROM import_batch b WHERE b.id = $1`

/**
 * $1 request ids, $2 limit, $3 offset: the batch's requests the caller sees, with their step and, per changed
 * field, the household's current value (masked as the caller reads it) and the proposed one.
 */
export const BATCH_REQUESTS_PAGE = `SELECT r.id, r.kind, r.state, r.household_ref::text AS target, r.area_code AS "areaCode", v.name AS "villageName",
  r.current_step AS "currentStep", s.action AS "stepAction", s.role AS "stepRole", r.proposed_by AS "proposedById", count(*) OVER ()::int AS total,
  (SELECT COALESCE(jsonb_agg(jsonb_build_object('field', k.key, 'before', CASE WHEN r.state = 'applied' THEN r.before -> k.key ELSE cur.v -> k.key END, 'after', k.value) ORDER BY k.key), '[]'::jsonb)
   FROM jsonb_each(r.changes_masked) k WHERE k.key NOT IN ('year', 'note')) AS diffs
FROM change_request r
LEFT JOIN admin_area v ON v.code = r.area_code
LEFT JOIN review_chain_step s ON s.kind = r.kind AND s.no = r.current_step
LEFT JOIN LATERAL (SELECT povmap_cr_values(r.household_id, (r.changes_masked ->> 'year')::int) AS v WHERE r.household_id IS NOT NULL AND r.state <> 'applied') cur ON true
WHERE r.id = ANY ($1::int[])
ORDER BY r.id LIMIT $2 OFFSET $3`

/** $1 request ids, $2 caller's role, $3 caller's id: those pending at a step the caller takes (not a notice, not their own). */
export const BATCH_DECIDABLE = `SELECT r.id FROM change_request r JOIN review_chain_step s ON s.kind = r.kind AND s.no = r.current_step
WHERE r.id = ANY ($1::int[]) AND r.state = 'pending' AND s.action <> 'notice' AND s.role = $2 AND r.proposed_by <> $3 ORDER BY r.id`

/** $1 request ids: how many the caller sees still pending (whatever their step). */
export const BATCH_PENDING_SEEN = `SELECT count(*)::int AS n FROM change_request r WHERE r.id = ANY ($1::int[]) AND r.state = 'pending'`

/** Decides each request as the session caller (migration 0028): $1 ids, $2 approve, $3 comment, $4 notice days. */
export const DECIDE_MANY = `SELECT d.id, d.state, d.status, d.message, r.area_code AS "areaCode", r.kind, r.household_ref::text AS target, r.applied_version AS "appliedVersion"
FROM povmap_cr_decide_many($1::int[], $2, $3, $4) d LEFT JOIN change_request r ON r.id = d.id AND d.status = 200`

/**
 * The audit entries of a batch decision, one per request decided (and one per request applied), as the single
 * approve/reject routes write them: $1 actor id, $2 username, $3 role, $4 actions, $5 areas, $6 targets,
 * $7 details (JSON), $8 ip, $9 user agent, $10 request id.
 */
export const AUDIT_MANY = `INSERT INTO audit_log (actor_id, actor_username, actor_role, action, outcome, area_code, target, detail, ip, user_agent, request_id)
SELECT $1, $2, $3, t.action, 'ok', t.area, t.target, t.detail::jsonb, $8, $9, $10
FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) AS t(action, area, target, detail)`
