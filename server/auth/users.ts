import type { Queryable } from '../db/types.js'
import { sessionIdHash } from './session-store.js'
import type { Department, Role } from '../../domain/roles.js'
import type { Account } from '../../domain/schemas/accounts.js'
import { hashPassword } from './passwords.js'
import { isSealed, seal, secretKey, sealedKeyId, SecretKeyError, unseal } from './secret-box.js'

/** An account as the sign-in code sees it. */
export interface UserRow {
  id: number
  username: string
  displayName: string
  role: Role
  scope: string
  department: Department | null
  passwordHash: string
  /** The TOTP seed as stored: sealed (secret-box.ts); openTotpSecret() gives the seed. */
  totpSealed: string | null
  totpEnabled: boolean
  totpLastStep: number | null
  failedLogins: number
  lockedUntil: Date | null
  disabled: boolean
}

const USER_COLUMNS = `id, username, display_name AS "displayName", role, scope_code AS scope, department,
  password_hash AS "passwordHash", totp_secret AS "totpSealed", totp_enabled AS "totpEnabled", totp_last_step AS "totpLastStep",
  failed_logins AS "failedLogins", locked_until AS "lockedUntil", disabled`

/** After this many attempts in a row without a success from one address, that address is locked out of the account for LOCK_MINUTES. */
export const MAX_FAILED_LOGINS = 5
export const LOCK_MINUTES = 15
/** After this many failures in a row from any address, each attempt waits 2^(n - threshold) s, up to the cap. */
export const GLOBAL_BACKOFF_AFTER = 20
export const GLOBAL_BACKOFF_MAX_SECONDS = 60

export async function findUser(tx: Queryable, username: string): Promise<UserRow | undefined> {
  return (await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user WHERE username = $1`, [username])).rows[0]
}

export async function findUserById(tx: Queryable, id: number): Promise<UserRow | undefined> {
  return (await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user WHERE id = $1`, [id])).rows[0]
}

const CLAIM_FOR_ADDRESS = `INSERT INTO login_throttle AS t (user_id, address, attempts) VALUES ($1, $2, 1)
ON CONFLICT (user_id, address) DO UPDATE SET
  attempts = CASE WHEN t.locked_until <= now() THEN 1 ELSE t.attempts + 1 END,
  locked_until = CASE WHEN t.locked_until <= now() THEN NULL
                      WHEN t.locked_until IS NULL AND t.attempts + 1 >= $3 THEN now() + make_interval(mins => $4)
                      ELSE t.locked_until END,
  last_attempt_at = now()
RETURNING attempts, locked_until IS NOT NULL AS locked`

const CLAIM_FOR_ACCOUNT = `UPDATE app_user SET failed_logins = failed_logins + 1,
  locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => least($3, power(2, failed_logins + 1 - $2))::int) ELSE NULL END
WHERE id = $1 AND (locked_until IS NULL OR locked_until <= now())`

export type LoginClaim = { ok: true; locksNow: boolean } | { ok: false; reason: 'locked' | 'backoff' }

/**
 * Counts a sign-in attempt before its password is checked, so that parallel guesses cannot all pass
 * before a lock is written: the address's attempts since its last success, then the account's slower
 * back-off. `locksNow`: a failure of this attempt leaves the address locked. A success must call
 * recordSuccessfulLogin, which clears both counts. Run it in a transaction of its own.
 */
export async function claimLoginAttempt(tx: Queryable, userId: number, address: string): Promise<LoginClaim> {
  const { rows } = await tx.query<{ attempts: number; locked: boolean }>(CLAIM_FOR_ADDRESS, [userId, address.slice(0, 64), MAX_FAILED_LOGINS, LOCK_MINUTES])
  if (rows[0]!.attempts > MAX_FAILED_LOGINS) return { ok: false, reason: 'locked' }
  const account = await tx.query(CLAIM_FOR_ACCOUNT, [userId, GLOBAL_BACKOFF_AFTER, GLOBAL_BACKOFF_MAX_SECONDS])
  if (account.rowCount === 0) {
    // Not checked, so not counted for the address either.
    await tx.query('UPDATE login_throttle SET attempts = attempts - 1 WHERE user_id = $1 AND address = $2 AND attempts > 1', [userId, address.slice(0, 64)])
    return { ok: false, reason: 'backoff' }
  }
  return { ok: true, locksNow: rows[0]!.locked }
}

/**
 * Marks a TOTP time step as used, unless it (or a later one) already is: the check and the write in
 * one statement, so that two sign-ins racing with the same code cannot both pass. False: replayed.
 */
export async function claimTotpStep(tx: Queryable, id: number, step: number): Promise<boolean> {
  const { rowCount } = await tx.query('UPDATE app_user SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)', [id, step])
  return rowCount === 1
}

export async function recordSuccessfulLogin(tx: Queryable, id: number, totpStep: number | null, address: string): Promise<void> {
  await tx.query('DELETE FROM login_throttle WHERE user_id = $1 AND address = $2', [id, address.slice(0, 64)])
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

/** Creates an account; the password must already have passed passwordProblem(). A TOTP seed is stored sealed. */
export async function createUser(tx: Queryable, u: NewUser): Promise<number> {
  const hash = await hashPassword(u.password)
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO app_user (username, display_name, role, scope_code, department, password_hash)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [u.username, u.displayName, u.role, u.scope, u.department ?? null, hash],
  )
  const id = rows[0]!.id
  // The seal binds the seed to the row's id, known only after the insert.
  if (u.totpSecret) await tx.query('UPDATE app_user SET totp_secret = $2, totp_enabled = true WHERE id = $1', [id, sealTotpSecret(id, u.totpSecret)])
  return id
}

// ---- TOTP seeds, sealed at rest ---------------------------------------------------------------------

const totpContext = (userId: number) => `app_user.totp_secret:${userId}`

export function sealTotpSecret(userId: number, secret: string): string {
  return seal(secret, totpContext(userId))
}

/**
 * The TOTP seed of an account. Refuses (SecretKeyError, a 500 for the sign-in) a seed sealed under
 * another key, altered, copied from another account, or stored in clear by an older version and not yet
 * converted by sealClearTotpSecrets() (which the server runs at every start).
 */
export function openTotpSecret(user: Pick<UserRow, 'id' | 'totpSealed'>): string {
  if (user.totpSealed === null) throw new SecretKeyError(`account ${user.id} has no TOTP seed`)
  if (!isSealed(user.totpSealed)) throw new SecretKeyError(`the TOTP seed of account ${user.id} is stored in clear: restart the server to seal it`)
  return unseal(user.totpSealed, totpContext(user.id))
}

/** Finishes enrolment: stores the confirmed seed, sealed, unless a second factor is already set up. */
export async function enableTotp(tx: Queryable, userId: number, secret: string, step: number): Promise<boolean> {
  const r = await tx.query('UPDATE app_user SET totp_secret = $2, totp_enabled = true, totp_last_step = $3 WHERE id = $1 AND NOT totp_enabled', [
    userId,
    sealTotpSecret(userId, secret),
    step,
  ])
  return r.rowCount > 0
}

/**
 * Seals the seeds an older version stored in clear (owner connection, at start-up), and counts the ones
 * sealed under a key other than this process's (they will be refused at sign-in).
 */
export async function sealClearTotpSecrets(db: Queryable): Promise<{ sealed: number; otherKey: number }> {
  const { rows } = await db.query<{ id: number; secret: string }>('SELECT id, totp_secret AS secret FROM app_user WHERE totp_secret IS NOT NULL ORDER BY id')
  const own = secretKey().id
  let sealed = 0
  let otherKey = 0
  for (const r of rows) {
    const kid = sealedKeyId(r.secret)
    if (kid === null) {
      // Only this exact value is replaced: a concurrent enrolment or another starting process wins.
      const u = await db.query('UPDATE app_user SET totp_secret = $2 WHERE id = $1 AND totp_secret = $3', [r.id, sealTotpSecret(r.id, r.secret), r.secret])
      sealed += u.rowCount
    } else if (kid !== own) {
      otherKey++
    }
  }
  return { sealed, otherKey }
}

/** Disabling ends every session of the user at once (the session store also refuses disabled users). */
export async function setDisabled(tx: Queryable, id: number, disabled: boolean): Promise<boolean> {
  const r = await tx.query('UPDATE app_user SET disabled = $2 WHERE id = $1', [id, disabled])
  if (disabled) await tx.query('DELETE FROM app_session WHERE user_id = $1', [id])
  return r.rowCount > 0
}

/** Ends every session of the user but `keepSid` (the raw id of the session that made the change). */
export async function endOtherSessions(tx: Queryable, userId: number, keepSid: string): Promise<void> {
  await tx.query('DELETE FROM app_session WHERE user_id = $1 AND sid_hash <> $2', [userId, sessionIdHash(keepSid)])
}

/** $1 area code: the accounts of that area and below it. */
const ACCOUNT_LIST = `SELECT id, username, display_name AS "displayName", role, scope_code AS scope, department, totp_enabled AS "totpEnabled", disabled,
  COALESCE(locked_until > now(), false) AS locked,
  to_char(last_login_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "lastLoginAt"
FROM app_user WHERE starts_with(scope_code, $1) ORDER BY scope_code, username`

/** The accounts of an area and below it, as the administrators' list shows them. */
export async function listAccounts(tx: Queryable, scope: string): Promise<Account[]> {
  return (await tx.query<Account>(ACCOUNT_LIST, [scope])).rows
}
