import type { Queryable } from '../db/types.js'
import type { Department, Role } from './roles.js'
import { hashPassword } from './passwords.js'

/** An account as the sign-in code sees it. */
export interface UserRow {
  id: number
  username: string
  displayName: string
  role: Role
  scope: string
  department: Department | null
  passwordHash: string
  totpSecret: string | null
  totpEnabled: boolean
  totpLastStep: number | null
  failedLogins: number
  lockedUntil: Date | null
  disabled: boolean
}

const USER_COLUMNS = `id, username, display_name AS "displayName", role, scope_code AS scope, department,
  password_hash AS "passwordHash", totp_secret AS "totpSecret", totp_enabled AS "totpEnabled", totp_last_step AS "totpLastStep",
  failed_logins AS "failedLogins", locked_until AS "lockedUntil", disabled`

/** After this many failures in a row the account is locked for LOCK_MINUTES (reset by a success). */
export const MAX_FAILED_LOGINS = 5
export const LOCK_MINUTES = 15

export async function findUser(tx: Queryable, username: string): Promise<UserRow | undefined> {
  return (await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user WHERE username = $1`, [username])).rows[0]
}

export async function findUserById(tx: Queryable, id: number): Promise<UserRow | undefined> {
  return (await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user WHERE id = $1`, [id])).rows[0]
}

/** Counts a failure; locks the account when it reaches the limit. Returns whether it is now locked. */
export async function recordFailedLogin(tx: Queryable, id: number): Promise<boolean> {
  const { rows } = await tx.query<{ locked: boolean }>(
    `UPDATE app_user SET failed_logins = failed_logins + 1,
       locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
     WHERE id = $1 RETURNING locked_until IS NOT NULL AND locked_until > now() AS locked`,
    [id, MAX_FAILED_LOGINS, LOCK_MINUTES],
  )
  return rows[0]?.locked ?? false
}

export async function recordSuccessfulLogin(tx: Queryable, id: number, totpStep: number | null): Promise<void> {
  await tx.query(
    `UPDATE app_user SET failed_logins = 0, locked_until = NULL, last_login_at = now(),
       totp_last_step = COALESCE($2, totp_last_step) WHERE id = $1`,
    [id, totpStep],
  )
}

export interface NewUser {
  username: string
  displayName: string
  role: Role
  scope: string
  department?: Department | null
  password: string
  totpSecret?: string | null
}

/** Creates an account; the password must already have passed passwordProblem(). */
export async function createUser(tx: Queryable, u: NewUser): Promise<number> {
  const hash = await hashPassword(u.password)
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO app_user (username, display_name, role, scope_code, department, password_hash, totp_secret, totp_enabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7::text, $7::text IS NOT NULL) RETURNING id`,
    [u.username, u.displayName, u.role, u.scope, u.department ?? null, hash, u.totpSecret ?? null],
  )
  return rows[0]!.id
}

/** Disabling ends every session of the user at once (the session store also refuses disabled users). */
export async function setDisabled(tx: Queryable, id: number, disabled: boolean): Promise<boolean> {
  const r = await tx.query('UPDATE app_user SET disabled = $2 WHERE id = $1', [id, disabled])
  if (disabled) await tx.query('DELETE FROM app_session WHERE user_id = $1', [id])
  return r.rowCount > 0
}
