import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import helmet from 'helmet'
import type { IncomingMessage, ServerResponse } from 'node:http'
import rateLimit from '@fastify/rate-limit'
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure'
import { isBinaryTileUrl } from '../tiles/fast-path.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The security headers a binary tile gets (the rest mean nothing for a resource no browser renders as a document). */
    binaryHeaders: Readonly<Record<string, string>>
    /**
     * For a request served before Fastify that costs database work: false when the server is shedding
     * load or the caller is over the rate limit (the request then takes the ordinary path, which
     * answers 503 or 429); otherwise true, the request counted against the caller's limit as the
     * rate-limit hook would count it.
     */
    admitEarly(url: string, caller: { userId: number }): Promise<boolean>
  }
}

export interface HardeningOptions {
  /** HTTPS deployment: HSTS and upgrade-insecure-requests (off for http://localhost). */
  secure?: boolean
  /** Requests per minute per signed-in user (or per address when anonymous). */
  rateLimit?: { apiPerMinute?: number; tilesPerMinute?: number }
  /**
   * Shedding thresholds (0 turns a check off); absent: no shedding. server.ts always sets them; tests
   * leave them out because their own set-up (copying database templates) stalls the event loop.
   */
  underPressure?: { maxEventLoopDelayMs?: number; maxEventLoopUtilization?: number; maxHeapUsedBytes?: number; maxRssBytes?: number; sampleIntervalMs?: number }
}

/** What server.ts sheds at: the event loop lags a second or is 98 % busy, or the heap passes 1.5 GiB. */
export const SERVER_SHEDDING: NonNullable<HardeningOptions['underPressure']> = { maxEventLoopDelayMs: 1000, maxEventLoopUtilization: 0.98, maxHeapUsedBytes: 1.5 * 2 ** 30 }

/**
 * Response headers (CSP that MapLibre GL and deck.gl work with), CORS closed (no CORS plugin: no
 * Access-Control-Allow-* header is ever sent, preflights get 404), JSON-only bodies, rate limits per
 * caller, and 503 shedding when the process is overloaded.
 */
export default fp<HardeningOptions>(
  async (app: FastifyInstance, opts) => {
    const secure = opts.secure ?? false
    const headers = securityHeaders({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          baseUri: ["'self'"],
          scriptSrc: ["'self'"],
          // Element Plus and MapLibre set inline style attributes.
          styleSrc: ["'self'", "'unsafe-inline'"],
          // MapLibre decodes images into blobs; the favicon and swagger-ui use data: URLs.
          imgSrc: ["'self'", 'data:', 'blob:'],
          fontSrc: ["'self'", 'data:'],
          // MapLibre starts its tile workers from a blob: URL.
          workerSrc: ["'self'", 'blob:'],
          childSrc: ["'self'", 'blob:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          ...(secure ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    })
    // Every answer gets them, errors and 404s included, except that a binary tile (.mvt, .png) gets only
    // the two that mean anything for a resource no browser renders as a document: the rest (CSP,
    // framing, referrer, …) would be a third of a small tile's bytes and of its header work.
    const tileHeaders = { 'x-content-type-options': headers['x-content-type-options']!, 'cross-origin-resource-policy': headers['cross-origin-resource-policy']! }
    app.decorate('binaryHeaders', tileHeaders)
    app.addHook('onRequest', (req, reply, done) => {
      reply.headers(isBinaryTileUrl(req.url) ? tileHeaders : headers)
      done()
    })

    // JSON bodies only: a cross-site HTML form can send text/plain, urlencoded or multipart, never JSON
    // (and a cross-origin fetch with JSON needs a CORS preflight that this server never grants).
    app.removeContentTypeParser('text/plain')

    const apiMax = opts.rateLimit?.apiPerMinute ?? 600
    const tilesMax = opts.rateLimit?.tilesPerMinute ?? 6000
    const isTiles = (req: FastifyRequest) => req.url.startsWith('/tiles/')
    await app.register(rateLimit, {
      global: true,
      timeWindow: 60_000,
      max: (req: FastifyRequest) => (isTiles(req) ? tilesMax : apiMax),
      keyGenerator: (req: FastifyRequest) => `${isTiles(req) ? 't' : 'a'}:${req.caller ? `u${req.caller.userId}` : req.ip}`,
      // The static client, docs and health are not limited.
      allowList: (req: FastifyRequest) => !/^\/(api|tiles)\//.test(req.url) || req.url.startsWith('/api/health') || req.url.startsWith('/api/docs'),
      errorResponseBuilder: (_req: FastifyRequest, ctx: { after: string }) => ({ statusCode: 429, error: 'Too Many Requests', message: `rate limit exceeded, retry in ${ctx.after}` }),
    })
    // The same limiter and store as the hook; keyGenerator, max and allowList read only these fields.
    const limiter = app.createRateLimit()
    const shedding = () => app.hasDecorator('isUnderPressure') && app.isUnderPressure()
    app.decorate('admitEarly', async (url: string, caller: { userId: number }) => {
      if (shedding()) return false
      const r = await limiter({ url, caller, ip: '', routeOptions: { config: {} } } as unknown as FastifyRequest)
      return r.isAllowed || !r.isExceeded
    })

    const up = opts.underPressure
    if (!up) return
    await app.register(underPressure, {
      maxEventLoopDelay: up.maxEventLoopDelayMs ?? 1000,
      maxEventLoopUtilization: up.maxEventLoopUtilization ?? 0.98,
      maxHeapUsedBytes: up.maxHeapUsedBytes ?? 0,
      maxRssBytes: up.maxRssBytes ?? 0,
      ...(up.sampleIntervalMs ? { sampleInterval: up.sampleIntervalMs } : {}),
      retryAfter: 5,
      // The plugin sends what the handler returns; a handler that sent the reply itself and returned
      // nothing would let the request go on (and fail with a 500).
      pressureHandler: ((req: FastifyRequest, reply: FastifyReply, type: string) => {
        reply.code(503).header('retry-after', '5')
        // The health route answers its own documented shape (load balancers read it).
        if (req.routeOptions.url === '/api/health') return { status: 'unavailable', db: { kind: app.db.kind, postgis: null }, migrations: { applied: 0, latest: null } }
        return { error: 'Service Unavailable', message: `the server is overloaded (${type}); try again shortly` }
      }) as unknown as NonNullable<FastifyUnderPressureOptions['pressureHandler']>,
    })
  },
  { name: 'hardening', fastify: '5.x', dependencies: ['db'] },
)

/**
 * The headers helmet sets, computed once. @fastify/helmet builds a new helmet middleware for every
 * request (CSP directives parsed each time: 4% of a cached tile's CPU); with no nonce and no
 * per-route option the result never changes, so it is taken from one run of the middleware.
 */
function securityHeaders(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const out: Record<string, string> = {}
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
    },
    removeHeader: (name: string) => {
      delete out[name.toLowerCase()]
    },
  }
  let failed: unknown
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    failed = err
  })
  if (failed) throw failed
  return out
}
