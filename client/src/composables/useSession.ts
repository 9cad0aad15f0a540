import { ApiError, getJson } from '../api/http.js'
import { useSessionStore, type SessionUser } from '../stores/session.js'

type Session = { user: SessionUser; csrfToken: string }

async function post(url: string, body: unknown, token: string): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token }, body: body === null ? undefined : JSON.stringify(body) })
}

/** Signing in and out through /api/auth (data routes need a session). */
export function useSession() {
  const store = useSessionStore()

  async function check() {
    store.state = 'loading'
    try {
      const s = await getJson<Session>('/api/auth/me')
      store.set(s.user, s.csrfToken)
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) store.set(null, null)
      else store.state = 'error'
    }
  }

  /** Answers null when signed in, else what to tell the user (and whether a code is needed). */
  async function signIn(username: string, password: string, totp: string): Promise<{ message: string; totpRequired: boolean } | null> {
    const { csrfToken } = await getJson<{ csrfToken: string }>('/api/auth/csrf')
    const res = await post('/api/auth/login', { username, password, ...(totp ? { totp } : {}) }, csrfToken)
    const body = (await res.json().catch(() => ({}))) as Partial<Session> & { message?: string; totpRequired?: boolean }
    if (!res.ok) return { message: body.message ?? `${res.status}`, totpRequired: !!body.totpRequired }
    store.set(body.user ?? null, body.csrfToken ?? null)
    return null
  }

  async function signOut() {
    if (store.csrfToken) await post('/api/auth/logout', null, store.csrfToken).catch(() => undefined)
    store.set(null, null)
  }

  return { check, signIn, signOut }
}
