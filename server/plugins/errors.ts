import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { DbError, DbUnavailableError } from '../db/types.js'

/**
 * Stable, machine-readable `code`s some error bodies carry beside `{ error, message }`, where the
 * status alone does not say what the client should tell the user (the client maps them to its own
 * Chinese and English text; `message` stays English, for logs and developers).
 */
export const ERROR_CODES = {
  /** 400: a value the database refused as out of range or malformed (SQLSTATE class 22). */
  invalidValue: 'invalid_value',
  /** 503: the database cannot be reached (unlike an overloaded server, which also answers 503). */
  dbUnavailable: 'db_unavailable',
} as const

/** Client-safe JSON errors: `{ error, message }` (and `code` where listed above); 5xx never carry SQL, driver text or stacks. */
export default fp(
  async (app) => {
    // Query and path parameters are text, coerced to numbers by the schemas: "1e309" becomes Infinity,
    // which ajv's minimum/maximum let through (they check finite numbers only), and the database then
    // refuses it. A number that is not finite is a 400 here, before any handler or SQL sees it.
    app.addHook('preHandler', (req, reply, done) => {
      const bad = nonFinite(req.query, 'querystring') ?? nonFinite(req.params, 'params')
      if (bad) {
        reply.code(400).send({ error: 'Bad Request', message: `${bad} must be a finite number` })
        return
      }
      done()
    })

    app.setErrorHandler((err: FastifyError, req, reply) => {
      if (err instanceof DbUnavailableError) {
        req.log.warn({ err }, 'database unavailable')
        return reply.code(503).send({ error: 'Service Unavailable', message: 'the database is unavailable; try again shortly', code: ERROR_CODES.dbUnavailable })
      }
      if (isDataException(err)) return invalidValue(err, req, reply)
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
      if (status >= 500) {
        req.log.error({ err }, 'request failed')
        return reply.code(status).send({ error: 'Internal Server Error', message: 'internal error' })
      }
      if (err.validation) {
        const where = err.validationContext ?? 'request'
        return reply.code(400).send({ error: 'Bad Request', message: `${where}${err.message.startsWith('/') ? '' : ' '}${err.message}` })
      }
      return reply.code(status).send({ error: httpName(status), message: err.message })
    })
  },
  { name: 'errors', fastify: '5.x' },
)

/** The first parameter that was coerced to a number that is not finite (±Infinity), as `querystring/year`. */
function nonFinite(values: unknown, where: string): string | undefined {
  if (!values || typeof values !== 'object') return undefined
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'number' && !Number.isFinite(v)) return `${where}/${k}`
    if (Array.isArray(v) && v.some((x) => typeof x === 'number' && !Number.isFinite(x))) return `${where}/${k}`
  }
  return undefined
}

/**
 * A database error of SQLSTATE class 22 (data exception: numeric value out of range 22003, invalid text
 * representation 22P02, datetime field overflow 22008, invalid LIMIT/OFFSET 2201W/2201X, a NUL byte in
 * text 22021, …): a value from the request the database could not take. Read from DbError's code (both
 * databases set it) or, for a driver error that reached here unwrapped, from the error or its cause.
 */
export function isDataException(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    const fromDb = e instanceof DbError || 'severity' in e
    if (fromDb && typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return true
  }
  return false
}

function invalidValue(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  // Logged: it may also be the server's own SQL that is wrong.
  req.log.warn({ err }, 'the database refused a value of the request (data exception)')
  return reply.code(400).send({ error: 'Bad Request', message: 'a value in the request is out of range or malformed', code: ERROR_CODES.invalidValue })
}

export function httpName(status: number): string {
  const names: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
  }
  return names[status] ?? 'Error'
}
