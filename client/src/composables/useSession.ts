import { ApiError, clearCache, getJson } from '../api/http.js'
import { enrolProblem, signInProblem, type Problem } from '../api/auth-problems.js'
import { mayBeSignedIn, noteSignedIn } from '../api/session-hint.js'
import { useSessionStore, type SessionUser } from '../stores/session.js'
import { useSelectionStore } from '../stores/selection.js'
import { useHouseholdLegendStore } from '../stores/household-legend.js'
import { useInspectionStore } from '../stores/inspection.js'
import { useChoroplethStore } from '../stores/choropleth.js'
import { useLayersStore } from '../stores/layers.js'
import { useMapViewStore } from '../stores/map-view.js'
import { useWorkspaceStore } from '../stores/workspace.js'
import { resetIndicators } from './useIndicators.js'
import type { TotpEnrolment } from '../../../domain/schemas/auth.js'

export type { TotpEnrolment }

type Session = { user: SessionUser; csrfToken: string }

/** A state-changing request: the CSRF token always, a JSON body only when there is one (an empty JSON body is a 400). */
async function post(url: string, body: unknown, token: string): Promise<Response> {
  const headers: Record<string, string> = { 'x-csrf-token': token, accept: 'application/json' }
  if (body !== null) headers['content-type'] = 'application/json'
  return fetch(url, { method: 'POST', headers, body: body === null ? undefined : JSON.stringify(body) })
}

/**
 * Forgets everything a session brought: the stores holding area or household data go back to their
 * defaults (the URL follows them), the cached answers and indicator definitions are dropped. The map
 * itself is removed with its tiles when the session ends (App shows it only while signed in). The
 * interface language and render settings are the browser's, not the session's, and stay.
 */
export function forgetSessionData(): void {
  useSelectionStore().reset()
  useHouseholdLegendStore().reset()
  useInspectionStore().reset()
  useChoroplethStore().reset()
  useLayersStore().reset()
  useMapViewStore().reset()
  useWorkspaceStore().close()
  clearCache()
  resetIndicators()
}

const bodyOf = async <T>(res: Response) => (await res.json().catch(() => ({}))) as Partial<T> & { message?: string; totpRequired?: boolean }

/** Signing in and out through /api/auth (data routes need a session), and enrolling a second factor. */
export function useSession() {
  const store = useSessionStore()

  function signedIn(user: SessionUser, csrfToken: string | null) {
    store.set(user, csrfToken)
    noteSignedIn(true)
  }

  /** The session is over (signed out, or a 401 said it ended): the sign-in form, and nothing of it kept. */
  function endSession() {
    noteSignedIn(false)
    store.set(null, null)
    forgetSessionData()
  }

  /** On load: asks who is signed in only when this browser signed in before (no 401 on a first visit). */
  async function check() {
    if (!mayBeSignedIn()) {
      store.set(null, null)
      return
    }
    store.state = 'loading'
    try {
      const s = await getJson<Session>('/api/auth/me')
      signedIn(s.user, s.csrfToken)
    } catch (e) {
      // The session this browser had ended meanwhile. Nothing of it was loaded in this page, and the
      // page's link (selection, camera) is kept for after sign-in.
      if (e instanceof ApiError && e.status === 401) {
        noteSignedIn(false)
        store.set(null, null)
      } else store.state = 'error'
    }
  }

  /** Answers null when signed in, else what to tell the user (and whether a code is needed). */
  async function signIn(username: string, password: string, totp: string): Promise<Problem | null> {
    const { csrfToken } = await getJson<{ csrfToken: string }>('/api/auth/csrf')
    const res = await post('/api/auth/login', { username, password, ...(totp ? { totp } : {}) }, csrfToken)
    const body = await bodyOf<Session>(res)
    if (!res.ok || !body.user) return signInProblem(res.status, body, !!totp)
    signedIn(body.user, body.csrfToken ?? null)
    return null
  }

  /** A new TOTP secret for this account (shown once); confirmTotp finishes with a code from the app. */
  async function enrolTotp(): Promise<TotpEnrolment | Problem> {
    const res = await post('/api/auth/totp/enrol', {}, store.csrfToken ?? '')
    const body = await bodyOf<TotpEnrolment>(res)
    if (!res.ok || !body.secret || !body.uri) return enrolProblem(res.status, 'enrol')
    return { secret: body.secret, uri: body.uri }
  }

  /** Answers null when the second factor is set up (the session continues under a new id), else what to tell the user. */
  async function confirmTotp(code: string): Promise<Problem | null> {
    const res = await post('/api/auth/totp/confirm', { code }, store.csrfToken ?? '')
    const body = await bodyOf<Session>(res)
    if (!res.ok || !body.user) return enrolProblem(res.status, 'confirm')
    signedIn(body.user, body.csrfToken ?? null)
    return null
  }

  async function signOut() {
    if (store.csrfToken) await post('/api/auth/logout', null, store.csrfToken).catch(() => undefined)
    endSession()
  }

  return { check, signIn, enrolTotp, confirmTotp, signOut, endSession }
}
