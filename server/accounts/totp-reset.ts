import type { Queryable } from '../db/types.js'

/**
 * Clears an account's second factor and ends its sessions: its next sign-in with the password alone
 * enrols a new one (POST /api/auth/totp/enrol). For an account of APPROVAL_ROLES the database lets this
 * happen only in the transaction that approved a totp_reset request for it (migration 0016).
 */
export async function resetTotp(tx: Queryable, userId: number): Promise<boolean> {
  const r = await tx.query('UPDATE app_user SET totp_secret = NULL, totp_enabled = false, totp_last_step = NULL WHERE id = $1 AND totp_enabled', [userId])
  await tx.query('DELETE FROM app_session WHERE user_id = $1', [userId])
  return r.rowCount > 0
}

/** A pending request to reset this account's second factor, if there is one. */
export async function pendingResetRequest(tx: Queryable, userId: number): Promise<boolean> {
  const { rowCount } = await tx.query("SELECT 1 FROM account_request WHERE kind = 'totp_reset' AND state = 'pending' AND user_id = $1", [userId])
  return rowCount > 0
}
