import type { FastifyServerOptions } from 'fastify'
import { scrubPersonal } from './auth/masking.js'

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
 * removed by path (request lines log no headers; this covers a line that does); ID numbers and phones
 * are masked by pattern in the finished line.
 */
export const loggerOptions = (level: string, dest?: LogDestination): FastifyServerOptions['logger'] => ({
  level,
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
