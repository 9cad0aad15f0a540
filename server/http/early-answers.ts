import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { FastifyServerFactory } from 'fastify'

/**
 * Takes a GET and returns true, or returns false (having written nothing) to let Fastify answer. An
 * answer that took the request may still hand it to Fastify later, as long as it has written nothing:
 * `pass()` does that (once), e.g. when what it found out asynchronously is not a plain success.
 */
export type RawAnswer = (req: IncomingMessage, res: ServerResponse, pass: () => void) => boolean

/**
 * Answers tried on node's request event before Fastify builds its request, reply and hooks. A map
 * asks for dozens of tiles a second and a cached one is a few hundred bytes: Fastify's lifecycle
 * cost more than twice what node's HTTP server itself costs to send them. An answer serves only
 * what the full path has already checked and remembered (see the tile route and the auth plugin);
 * anything else, and every request while the app is closing, goes to Fastify.
 */
export class EarlyAnswers {
  private readonly answers: RawAnswer[] = []
  private open = true

  add(answer: RawAnswer): void {
    this.answers.push(answer)
  }

  /** From now on every request goes to Fastify (which answers 503 while closing). */
  close(): void {
    this.open = false
  }

  /** Tries the answers; false when none took the request. `pass` hands it to Fastify afterwards. */
  answer(req: IncomingMessage, res: ServerResponse, pass: () => void = () => undefined): boolean {
    if (!this.open || req.method !== 'GET') return false
    for (const a of this.answers) {
      try {
        if (a(req, res, pass)) return true
      } catch (err) {
        // Nothing is written until an answer has everything it needs; should one fail anyway,
        // Fastify answers (and logs) what it can, unless the response has begun.
        if (res.headersSent) {
          res.destroy(err as Error)
          return true
        }
      }
    }
    return false
  }

  /** Fastify's serverFactory: node's HTTP server with the timeouts Fastify would give its own. */
  readonly serverFactory: FastifyServerFactory = (handler, opts) => {
    const server = http.createServer((req, res) => {
      let passed = false
      const pass = () => {
        if (passed || res.headersSent) return
        passed = true
        handler(req, res)
      }
      if (!this.answer(req, res, pass)) handler(req, res)
    })
    const o = opts as { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number; maxRequestsPerSocket?: number }
    if (o.keepAliveTimeout !== undefined) server.keepAliveTimeout = o.keepAliveTimeout
    if (o.requestTimeout !== undefined) server.requestTimeout = o.requestTimeout
    server.setTimeout(o.connectionTimeout ?? 0)
    if (o.maxRequestsPerSocket && o.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = o.maxRequestsPerSocket
    return server
  }
}

/**
 * A request header read from node's raw list without building req.headers (which an early answer
 * would otherwise be the first to ask for); undefined when absent or given more than once.
 */
export function rawHeader(req: IncomingMessage, lowerCaseName: string): string | undefined {
  const raw = req.rawHeaders
  let found: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length === lowerCaseName.length && name.toLowerCase() === lowerCaseName) {
      if (found !== undefined) return undefined
      found = raw[i + 1]
    }
  }
  return found
}
