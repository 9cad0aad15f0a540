/**
 * The workflow functions of migration 0012 refuse with SQLSTATE PV400/PV403/PV404/PV409 and a JSON message
 * { field, en, zh }; this turns such a database error into the answer's status and body. Any other error
 * is not a refusal and goes to the error handler as it is.
 */
import { DbError } from '../db/types.js'

export interface Refusal {
  status: 400 | 403 | 404 | 409
  field: string | null
  en: string
  zh: string
}

const STATUS: Record<string, Refusal['status']> = { PV400: 400, PV403: 403, PV404: 404, PV409: 409 }

export function refusalOf(err: unknown): Refusal | null {
  if (!(err instanceof DbError) || err.code === undefined || !(err.code in STATUS)) return null
  const start = err.message.indexOf('{')
  try {
    const m = JSON.parse(err.message.slice(start)) as { field: string | null; en: string; zh: string }
    return { status: STATUS[err.code]!, field: m.field, en: m.en, zh: m.zh }
  } catch {
    return { status: STATUS[err.code]!, field: null, en: 'the request was refused', zh: '请求被拒绝' }
  }
}

export const ERROR_NAMES: Record<Refusal['status'], string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' }
