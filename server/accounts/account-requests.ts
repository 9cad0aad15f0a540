/**
 * Account requests (four eyes, migration 0010): the statements, each on a Queryable the caller chooses
 * (today the accounts role's transaction, withAccounts). Who may ask and who may decide is checked by the
 * routes (server/accounts/users-routes.ts, server/accounts/account-requests-routes.ts); the table's checks and the trigger
 * on app_user hold the same line in the database.
 */
import type { Queryable } from '../db/types.js'
import type { Department, Role } from '../../domain/roles.js'
import type { AccountRequestKind, AccountRequestState } from '../../domain/accounts.js'
import type { AccountRequest as PublicAccountRequest } from '../../domain/schemas/accounts.js'

export interface AccountRequest {
  id: number
  kind: AccountRequestKind
  state: AccountRequestState
  username: string
  displayName: string
  role: Role
  scope: string
  department: Department | null
  /** disable: the account to disable; create: the account made at approval (null until then). */
  userId: number | null
  requestedById: number
  requestedBy: string
  requestedAt: string
  decidedById: number | null
  decidedBy: string | null
  decidedAt: string | null
}

const COLUMNS = `id, kind, state, username, display_name AS "displayName", role, scope_code AS scope, department, user_id AS "userId",
  requested_by AS "requestedById", requested_by_username AS "requestedBy",
  to_char(requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "requestedAt",
  decided_by AS "decidedById", decided_by_username AS "decidedBy",
  to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "decidedAt"`

export interface Requester {
  id: number
  username: string
}

export interface NewAccountRequest {
  kind: AccountRequestKind
  username: string
  displayName: string
  role: Role
  scope: string
  department: Department | null
  userId?: number | null
}

/** Whether an account or a pending request to create one already has this username. */
export async function usernameInUse(tx: Queryable, username: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `SELECT 1 FROM app_user WHERE username = $1
     UNION ALL SELECT 1 FROM account_request WHERE username = $1 AND kind = 'create' AND state = 'pending'`,
    [username],
  )
  return rowCount > 0
}

/** A pending request to disable this account, if there is one. */
export async function pendingDisableRequest(tx: Queryable, userId: number): Promise<AccountRequest | undefined> {
  return (await tx.query<AccountRequest>(`SELECT ${COLUMNS} FROM account_request WHERE kind = 'disable' AND state = 'pending' AND user_id = $1`, [userId])).rows[0]
}

/** Files a request; null when an equal one is already pending (the unique indexes of migration 0010). */
export async function createAccountRequest(tx: Queryable, r: NewAccountRequest, by: Requester): Promise<AccountRequest | null> {
  const { rows } = await tx.query<AccountRequest>(
    `INSERT INTO account_request (kind, username, display_name, role, scope_code, department, user_id, requested_by, requested_by_username)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    [r.kind, r.username, r.displayName, r.role, r.scope, r.department, r.userId ?? null, by.id, by.username],
  )
  return rows[0] ?? null
}

/** Requests of accounts in the area (the area and everything below it), newest first. */
export async function listAccountRequests(tx: Queryable, scope: string, state: AccountRequestState, limit: number): Promise<AccountRequest[]> {
  return (
    await tx.query<AccountRequest>(`SELECT ${COLUMNS} FROM account_request WHERE starts_with(scope_code, $1) AND state = $2 ORDER BY id DESC LIMIT $3`, [
      scope,
      state,
      limit,
    ])
  ).rows
}

/** One request. Who asked, for what and where never changes; its state is settled by decideAccountRequest alone. */
export async function findAccountRequest(tx: Queryable, id: number): Promise<AccountRequest | undefined> {
  return (await tx.query<AccountRequest>(`SELECT ${COLUMNS} FROM account_request WHERE id = $1`, [id])).rows[0]
}

/**
 * Records the decision on a pending request; null when it is no longer pending. Two deciders at once: the
 * second UPDATE waits for the first's row lock, then finds the request decided.
 */
export async function decideAccountRequest(tx: Queryable, id: number, state: 'approved' | 'rejected', by: Requester): Promise<AccountRequest | null> {
  const { rows } = await tx.query<AccountRequest>(
    `UPDATE account_request SET state = $2, decided_by = $3, decided_by_username = $4, decided_at = now()
     WHERE id = $1 AND state = 'pending' RETURNING ${COLUMNS}`,
    [id, state, by.id, by.username],
  )
  return rows[0] ?? null
}

/** Notes the account an approved creation made (same transaction as the approval). */
export async function recordCreatedAccount(tx: Queryable, id: number, userId: number): Promise<AccountRequest> {
  const { rows } = await tx.query<AccountRequest>(`UPDATE account_request SET user_id = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, userId])
  return rows[0]!
}

/** A request as the API shows it: without the internal ids of the people who asked and decided. */
export function accountRequestBody(r: AccountRequest): PublicAccountRequest {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    username: r.username,
    displayName: r.displayName,
    role: r.role,
    scope: r.scope,
    department: r.department,
    userId: r.userId,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt,
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt,
  }
}
