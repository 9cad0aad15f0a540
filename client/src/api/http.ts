/** JSON over fetch with the API's error shape, and a small cache for answers that do not change while the page is open. */

export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, headers: { accept: 'application/json' } })
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`
    try {
      const body = (await res.json()) as { message?: string }
      if (body.message) message = body.message
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, message)
  }
  return (await res.json()) as T
}

const cache = new Map<string, unknown>()
const MAX_CACHED = 200

/** getJson, remembering successful answers by URL (areas, indicator definitions: fixed while the page is open). */
export async function getCached<T>(url: string, signal?: AbortSignal): Promise<T> {
  if (cache.has(url)) return cache.get(url) as T
  const value = await getJson<T>(url, signal)
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!)
  cache.set(url, value)
  return value
}
