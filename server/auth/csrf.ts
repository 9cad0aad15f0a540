import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import csrf from '@fastify/csrf-protection'
import { deny } from './access-checks.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The sign-in CSRF token, bound to a cookie (no session exists before sign-in). */
    loginCsrf: { issue(req: FastifyRequest, reply: FastifyReply): string; valid(req: FastifyRequest): boolean; clear(reply: FastifyReply): void }
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function safeHost(origin: string): string | null {
  try {
    return new URL(origin).host
  } catch {
    return null
  }
}

/**
 * CSRF: every state-changing request carries a token in the x-csrf-token header (the session's, or
 * before sign-in one bound to a cookie) and comes from no cross-site origin. Refusals are audited.
 */
export default fp(
  async (app) => {
    const { cookieSecure } = app.authOptions

    // GET /api/auth/csrf gives an anonymous browser a random nonce in a cookie and the token
    // HMAC(key, nonce); sign-in checks the pair (double submit, keyed so that the token cannot be made
    // from the cookie). No session, and no database row, exists before sign-in.
    const loginCookie = cookieSecure ? '__Host-povmap_login' : 'povmap_login'
    const loginKey = app.sessions.keyFor('povmap sign-in csrf')
    const loginToken = (nonce: string) => createHmac('sha256', loginKey).update(nonce).digest('base64url')
    app.decorate('loginCsrf', {
      issue(req: FastifyRequest, reply: FastifyReply): string {
        const nonce = randomBytes(18).toString('base64url')
        // A Secure cookie is never sent over plain HTTP (as the session cookie is not): the token is then useless.
        if (!cookieSecure || req.protocol === 'https') reply.setCookie(loginCookie, nonce, { path: '/', httpOnly: true, sameSite: 'strict', secure: cookieSecure })
        return loginToken(nonce)
      },
      valid(req: FastifyRequest): boolean {
        const nonce = req.cookies[loginCookie]
        const sent = req.headers['x-csrf-token']
        if (!nonce || typeof sent !== 'string') return false
        const want = Buffer.from(loginToken(nonce))
        const got = Buffer.from(sent)
        return got.length === want.length && timingSafeEqual(got, want)
      },
      clear(reply: FastifyReply): void {
        reply.clearCookie(loginCookie, { path: '/', httpOnly: true, sameSite: 'strict', secure: cookieSecure })
      },
    })

    await app.register(csrf, {
      sessionPlugin: '@fastify/session',
      // Only from the header: a cross-site form cannot set it.
      getToken: (req: FastifyRequest) => {
        const t = req.headers['x-csrf-token']
        return typeof t === 'string' ? t : ''
      },
    })

    app.addHook('preValidation', async (req, reply) => {
      if (req.is404 || SAFE_METHODS.has(req.method) || req.routeOptions.config.csrf === false) return
      const origin = req.headers.origin
      const site = req.headers['sec-fetch-site']
      const crossOrigin = (typeof origin === 'string' && origin !== 'null' && safeHost(origin) !== req.host) || origin === 'null' || site === 'cross-site'
      if (crossOrigin) {
        await app.auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: req.caller?.scope ?? null, target: `${req.method} ${req.routeOptions.url}`, detail: { reason: 'cross-origin' } })
        return deny(reply, 403, 'cross-origin requests are refused')
      }
    })
    // Callback style: on a missing or wrong token the plugin answers 403 itself and never calls done.
    app.addHook('preValidation', (req, reply, done) => {
      if (req.is404 || SAFE_METHODS.has(req.method) || req.routeOptions.config.csrf === false || reply.sent) return done()
      if (req.routeOptions.config.csrf === 'login') {
        if (app.loginCsrf.valid(req)) return done()
        // Like the plugin: the refusal is the answer, and done is not called.
        void app
          .auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: null, target: `${req.method} ${req.routeOptions.url}`, detail: { reason: 'csrf' } })
          .then(() => deny(reply, 403, 'missing or invalid CSRF token: GET /api/auth/csrf first, send it as x-csrf-token'))
        return
      }
      app.csrfProtection(req, reply, done)
    })
    app.addHook('onError', async (req, _reply, err) => {
      if ((err as { code?: string }).code?.startsWith('FST_CSRF')) {
        await app.auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: req.caller?.scope ?? null, target: `${req.method} ${req.routeOptions.url}`, detail: { reason: 'csrf' } })
      }
    })
  },
  // After the access checks: a caller who may not use a route at all is told so before any token is asked for.
  { name: 'csrf', fastify: '5.x', dependencies: ['sessions', 'request-audit', 'access-checks'] },
)
