import fp from 'fastify-plugin'
import type { FastifyError } from 'fastify'
import { DbUnavailableError } from '../db/types.js'

/** Client-safe JSON errors: `{ error, message }`; 5xx never carry SQL, driver text or stacks. */
export default fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError, req, reply) => {
      if (err instanceof DbUnavailableError) {
        req.log.warn({ err }, 'database unavailable')
        return reply.code(503).send({ error: 'Service Unavailable', message: 'the database is unavailable; try again shortly' })
      }
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
