/**
 * Whether this browser holds a session, as far as the client can tell: the session cookie is HttpOnly,
 * so the client notes in localStorage that it signed in, and asks GET /api/auth/me on load only when
 * the note is there. A first visit (or one after signing out) therefore sends no request that could
 * only answer 401; a note whose session ended meanwhile costs one 401 and is then removed.
 */
export const SESSION_HINT_KEY = 'povmap.signedIn'

interface HintStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

function storage(): HintStorage | null {
  try {
    return (globalThis as { localStorage?: HintStorage }).localStorage ?? null
  } catch {
    // Storage refused (privacy settings): no note can be kept.
    return null
  }
}

/** True when the note says signed in, or when no note can be kept (then only the server can tell). */
export function mayBeSignedIn(): boolean {
  const s = storage()
  if (!s) return true
  try {
    return s.getItem(SESSION_HINT_KEY) === '1'
  } catch {
    return true
  }
}

export function noteSignedIn(on: boolean): void {
  try {
    if (on) storage()?.setItem(SESSION_HINT_KEY, '1')
    else storage()?.removeItem(SESSION_HINT_KEY)
  } catch {
    // quota or privacy settings: the next load asks the server
  }
}
