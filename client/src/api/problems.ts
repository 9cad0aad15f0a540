import { ApiError } from './http.js'

/** Codes the API puts in error bodies (server/plugins/errors.ts, ERROR_CODES) and the text each gets here. */
const BY_CODE: Readonly<Record<string, string>> = {
  invalid_value: 'problems.invalidValue',
  db_unavailable: 'problems.dbUnavailable',
}

const BY_STATUS: Readonly<Record<number, string>> = {
  400: 'problems.badRequest',
  401: 'problems.signedOut',
  403: 'problems.forbidden',
  404: 'problems.notFound',
  409: 'problems.conflict',
  413: 'problems.tooLarge',
  415: 'problems.unsupported',
  429: 'problems.tooMany',
  503: 'problems.unavailable',
}

/**
 * What to tell the user about a failed request, as an i18n key (Chinese and English in i18n/): by the
 * API's `code` where it sent a known one, else by status; a fetch that never got an answer is a
 * network problem. Never the server's English message, which stays on the ApiError as detail.
 */
export function problemKey(e: unknown): string {
  if (e instanceof ApiError) {
    const byCode = e.code ? BY_CODE[e.code] : undefined
    if (byCode) return byCode
    const byStatus = BY_STATUS[e.status]
    if (byStatus) return byStatus
    return e.status >= 500 ? 'problems.server' : 'problems.generic'
  }
  // fetch rejects with a TypeError when no answer came (offline, connection refused, CSP).
  if (e instanceof TypeError) return 'problems.network'
  return 'problems.generic'
}

/** The server's own text of a failed request, if any (a tooltip, the console): detail, not the message shown. */
export function problemDetail(e: unknown): string | null {
  return e instanceof ApiError ? e.detail : e instanceof Error ? e.message : null
}
