import type { IncomingMessage, ServerResponse } from 'node:http'
import fp from 'fastify-plugin'
import { rawHeader } from '../tiles/fast-path.js'
import type { Caller } from './roles.js'

/**
 * Answers a GET on node's request event (before Fastify), for a signed-in caller with the second
 * factor; it checks the caller's role itself. Returns true when it takes the request, false (having
 * written nothing) to let the request go the ordinary way; having taken it, it may still hand it to
 * the ordinary way with `pass()` as long as it has written nothing.
 */
export type EarlyAnswer = (req: IncomingMessage, res: ServerResponse, caller: Caller, pass: () => void, sid: string) => boolean

declare module 'fastify' {
  interface FastifyInstance {
    /** Registers an answer that may serve a GET before Fastify and the session are involved (see EarlyAnswer). */
    answerEarly(fn: EarlyAnswer): void
  }
}

/**
 * Early answers for callers this process already trusts: a map asks for dozens of tiles a second, and a
 * cached one needs no database, no session object and no Fastify request, only the caller. Whatever an
 * answer does not serve goes the ordinary way, every check included.
 */
export default fp(
  async (app) => {
    app.decorate('answerEarly', (fn: EarlyAnswer) => {
      app.earlyAnswers.add((req, res, pass) => {
        // Two Cookie headers (node would join them) are left to the full path.
        const trusted = app.sessions.trusted(rawHeader(req, 'cookie'))
        return trusted !== undefined && trusted.caller.factor === 'ok' && fn(req, res, trusted.caller, pass, trusted.sid)
      })
    })
  },
  { name: 'answer-early', fastify: '5.x', dependencies: ['sessions'] },
)
