/** JSON over fetch with the API's error shape, and a small cache for answers that do not change while the session lasts. */

/**
 * A non-2xx answer: its status and the API's machine-readable `code` (when it sent one) say what to
 * tell the user (api/problems.ts); the server's English `message` is kept as `detail`, never shown as
 * the interface's text.
 */
export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message)
  }
  /** The server's own (English) text, for a tooltip or the console. */
  get detail(): string {
    return this.message
  }
}

type Listener = () => void
const sessionEndedListeners = new Set<Listener>()

/** Calls fn whenever the API answers 401 to a data request: the session ended (expired, signed out elsewhere). Answers the unsubscribe. */
export function onSessionEnded(fn: Listener): () => void {
  sessionEndedListeners.add(fn)
  return () => sessionEndedListeners.delete(fn)
}

/** For answers that do not go through getJson (map tiles): a 401 there means the same. */
export function notifySessionEnded(): void {
  for (const fn of [...sessionEndedListeners]) fn()
}

/** The ApiError of a non-2xx answer; a 401 from a data route also says the session ended. */
async function failure(url: string, res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`
  let code: string | undefined
  try {
    const body = (await res.json()) as { message?: string; code?: string }
    if (body.message) message = body.message
    if (typeof body.code === 'string') code = body.code
  } catch {
    // not JSON: keep the status line
  }
  // The sign-in routes answer 401 for "not signed in" as part of their work (useSession handles it).
  if (res.status === 401 && !url.startsWith('/api/auth/')) notifySessionEnded()
  return new ApiError(res.status, message, code)
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, headers: { accept: 'application/json' } })
  if (!res.ok) throw await failure(url, res)
  return (await res.json()) as T
}

/** A state-changing request with a JSON body and the session's CSRF token (every POST needs both). */
export async function postJson<T>(url: string, body: unknown, csrfToken: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    signal,
    headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw await failure(url, res)
  return (await res.json()) as T
}

/** A file answer (a CSV export): its bytes and the name the server gave it in Content-Disposition. */
export async function getFile(url: string, signal?: AbortSignal): Promise<{ blob: Blob; filename: string | null }> {
  const res = await fetch(url, { signal })
  if (!res.ok) throw await failure(url, res)
  const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? null
  return { blob: await res.blob(), filename }
}

const cache = new Map<string, unknown>()
/** Requests on their way, shared: the panels that open together ask for the same area once. */
const inflight = new Map<string, Promise<unknown>>()
const MAX_CACHED = 200
/** Bumped by clearCache: an answer that arrives after it belongs to the session that ended and is not kept. */
let generation = 0

/** Stops waiting for a shared request when this caller's signal aborts (the request itself goes on for the others). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason)
    signal.addEventListener('abort', abort, { once: true })
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}

/** getJson, remembering successful answers by URL (areas, indicator definitions: fixed while the session lasts). */
export async function getCached<T>(url: string, signal?: AbortSignal): Promise<T> {
  if (cache.has(url)) return cache.get(url) as T
  let pending = inflight.get(url) as Promise<T> | undefined
  if (!pending) {
    const asked = generation
    pending = getJson<T>(url).then((value) => {
      if (asked === generation) {
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!)
        cache.set(url, value)
      }
      return value
    })
    const shared = pending
    inflight.set(url, shared)
    void shared.catch(() => undefined).finally(() => inflight.get(url) === shared && inflight.delete(url))
  }
  return abortable(pending, signal)
}

/** Forgets every cached answer: what one user's session saw is not the next one's. */
export function clearCache(): void {
  generation++
  cache.clear()
  inflight.clear()
}
