import type { Queryable } from '../db/types.js'
import type { AUDIT_OUTCOMES } from '../../domain/schemas/audit.js'

/**
 * One audit entry. `detail` must never hold an ID number, a phone number, a password or a session id:
 * it says what was done (filters, counts, the reason given for a reveal), not what was seen.
 */
export interface AuditEntry {
  action: string
  outcome: (typeof AUDIT_OUTCOMES)[number]
  actorId?: number | null
  actorUsername?: string | null
  actorRole?: string | null
  area?: string | null
  target?: string | null
  detail?: Record<string, unknown>
  ip?: string | null
  userAgent?: string | null
  requestId?: string | null
}

/** Actions written by the server (the reveal is written by the database function itself). */
export const AUDIT_ACTIONS = [
  'login',
  'logout',
  'password.change',
  'totp.enrol',
  'totp.confirm',
  'access.denied',
  'household.view',
  'household.members',
  'household.reveal',
  'export.households',
  'photo.upload',
  'photo.view',
  'user.create',
  'user.disable',
  'user.enable',
  'account.request',
  'account.approve',
  'account.reject',
  'audit.read',
] as const

const INSERT = `INSERT INTO audit_log (actor_id, actor_username, actor_role, action, outcome, area_code, target, detail, ip, user_agent, request_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11)`

/** Appends one entry; inside the transaction of the read it records, so no read goes unrecorded. */
export async function appendAudit(tx: Queryable, e: AuditEntry): Promise<void> {
  await tx.query(INSERT, [
    e.actorId ?? null,
    e.actorUsername?.slice(0, 80) ?? null,
    e.actorRole ?? null,
    e.action,
    e.outcome,
    e.area ?? null,
    e.target?.slice(0, 200) ?? null,
    JSON.stringify(e.detail ?? {}),
    e.ip?.slice(0, 64) ?? null,
    e.userAgent?.slice(0, 200) ?? null,
    e.requestId?.slice(0, 64) ?? null,
  ])
}

/**
 * $1 username, $2 area, $3 action, $4 outcome, $5 from, $6 to, $7 before id, $8 limit: a page of entries, newest first.
 * Filters are bind parameters; NULL means "no filter". Row-level security limits the rows to the
 * auditor's area whatever the filters say.
 */
export const AUDIT_LOG_PAGE = `SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor_username AS user, actor_role AS role,
  action, outcome, area_code AS area, target, detail, ip, user_agent AS "userAgent"
FROM audit_log
WHERE ($1::text IS NULL OR actor_username = $1)
  AND ($2::text IS NULL OR starts_with(area_code, $2))
  AND ($3::text IS NULL OR action = $3)
  AND ($4::text IS NULL OR outcome = $4)
  AND ($5::timestamptz IS NULL OR at >= $5)
  AND ($6::timestamptz IS NULL OR at < $6)
  AND ($7::bigint IS NULL OR id < $7)
ORDER BY id DESC
LIMIT $8`
