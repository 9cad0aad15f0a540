/**
 * The province administrator's account routes (server/accounts/*): accounts of the area, creation
 * (direct, or a four-eyes account request for the roles that need a second person), disable / enable,
 * the pending account requests and their decisions, and the reset of a user's second factor.
 */
import type { Account, AccountDecision, AccountRequest, NewAccountBody } from '../../../domain/schemas/accounts.js'
import { PASSWORD_MIN_LENGTH, USERNAME_PATTERN } from '../../../domain/accounts.js'
import { REVEAL_ROLES, type Role } from '../../../domain/roles.js'
import { read, send, RegistryError } from '../registry/registry-api.js'

export type { Account, AccountDecision, AccountRequest, NewAccountBody }

/**
 * Roles whose accounts another administrator or an auditor approves (server/auth/roles.ts APPROVAL_ROLES):
 * the form sends no password for them, and the approver gets the initial one.
 */
export const APPROVAL_ROLES: readonly Role[] = ['province_admin', ...REVEAL_ROLES, 'auditor']

/** A POST answering its status too: POST /api/users is 201 (created) or 202 (a request). */
async function post(url: string, body: unknown, csrf: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify(body ?? {}),
  })
  const parsed: unknown = res.status === 204 ? null : await res.json().catch(() => null)
  if (!res.ok) {
    const b = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>
    throw new RegistryError(res.status, typeof b.message === 'string' ? b.message : `${res.status}`, typeof b.code === 'string' ? b.code : undefined, b)
  }
  return { status: res.status, body: parsed }
}

export const accountsApi = {
  list: (signal?: AbortSignal) => read<Account[]>('/api/users', signal),
  create: (body: NewAccountBody, csrf: string) => post('/api/users', body, csrf),
  /** 204: done; 202: disabling an auditor is a request another person decides. */
  setDisabled: (id: number, disabled: boolean, csrf: string) => post(`/api/users/${id}/${disabled ? 'disable' : 'enable'}`, {}, csrf),
  resetTotp: (id: number, csrf: string) => post(`/api/users/${id}/totp/reset`, {}, csrf),
  requests: (state: string, signal?: AbortSignal) => read<AccountRequest[]>(`/api/account-requests?state=${encodeURIComponent(state)}`, signal),
  decide: (id: number, verdict: 'approve' | 'reject', csrf: string) => send<AccountDecision>(`/api/account-requests/${id}/${verdict}`, {}, csrf),
}

/** What is wrong with the new-account form, as message keys per field (the server checks the same). */
export function accountFormProblems(f: { username: string; displayName: string; role: string; scope: string; department: string; password: string }, codeLengths: readonly number[]): Record<string, string> {
  const p: Record<string, string> = {}
  if (!new RegExp(USERNAME_PATTERN).test(f.username)) p.username = 'accountsAdmin.problems.username'
  if (!f.displayName.trim() || f.displayName.length > 80) p.displayName = 'accountsAdmin.problems.displayName'
  if (!f.role) p.role = 'accountsAdmin.problems.role'
  if (!/^\d+$/.test(f.scope) || !codeLengths.includes(f.scope.length)) p.scope = 'accountsAdmin.problems.scope'
  if (f.role === 'department_viewer' && !f.department) p.department = 'accountsAdmin.problems.department'
  const needsPassword = f.role !== '' && !APPROVAL_ROLES.includes(f.role as Role)
  if (needsPassword && f.password.length < PASSWORD_MIN_LENGTH) p.password = 'accountsAdmin.problems.password'
  return p
}
