import type { FastifyServerOptions } from 'fastify'
import { scrubPersonal } from '../../domain/masking.js'

/** Where log lines go; process.stdout by default. */
export interface LogDestination {
  write(line: string): unknown
}

/**
 * A pino destination that masks ID numbers and mobile numbers in every finished line, whatever put
 * them there (a URL, an error message from the driver, a value in a validation message).
 */
export function scrubbingDestination(dest: LogDestination = process.stdout): LogDestination {
  return { write: (line: string) => dest.write(scrubPersonal(line)) }
}

/**
 * JSON lines with UTC times. Cookies, authorisation and CSRF headers, photo captions and Set-Cookie are
 * removed by path, photo positions from logged URLs (request lines log no headers; this covers a line that does); ID numbers and phones
 * are masked by pattern in the finished line.
 */
/** Query parameters whose values never reach a log line: where a household's photo was taken. */
const UNLOGGED_QUERY = /([?&](?:lon|lat)=)[^&#]*/g

/** A request URL as logged: positions in the query are replaced. */
export const loggedUrl = (url: string) => url.replace(UNLOGGED_QUERY, '$1[redacted]')

export const loggerOptions = (level: string, dest?: LogDestination): FastifyServerOptions['logger'] => ({
  level,
  serializers: {
    // Fastify's request fields, with the URL as loggedUrl gives it.
    req: (req: { method: string; url: string; version?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
      method: req.method,
      url: loggedUrl(req.url),
      version: req.version,
      host: req.host,
      remoteAddress: req.ip,
      remotePort: req.socket?.remotePort,
    }),
  },
  timestamp: () => `,"time":"${new Date().toISOString()}"`,
  redact: {
    paths: [
      'req.headers.cookie',
      'req.headers.authorization',
      'req.headers["x-csrf-token"]',
      'req.headers["x-photo-caption"]',
      'res.headers["set-cookie"]',
      'headers.cookie',
      'headers.authorization',
      'headers["x-csrf-token"]',
      'headers["x-photo-caption"]',
      'headers["set-cookie"]',
      '*.headers.cookie',
      '*.headers.authorization',
      '*.headers["x-csrf-token"]',
      '*.headers["x-photo-caption"]',
      '*.headers["set-cookie"]',
      'body.password',
      'body.current',
      'body.next',
      'body.totp',
    ],
    censor: '[redacted]',
  },
  stream: scrubbingDestination(dest),
})
