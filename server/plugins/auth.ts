import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import cookie, { fastifyCookie, Signer } from '@fastify/cookie'
import session from '@fastify/session'
import csrf from '@fastify/csrf-protection'
import { DbSessionStore, sessionIdHash, type SessionData } from '../auth/session-store.js'
import { defaultAccess, roleAllows, TOTP_ROLES, type Access, type Caller } from '../auth/roles.js'
import type { Role } from '../../domain/roles.js'
import { ADMIN_CODE, areaRelation } from '../../domain/admin-codes.js'
import { appendAudit, type AuditEntry } from '../audit/audit-log.js'
import { rawHeader } from '../tiles/fast-path.js'
import type { DbCaller, ScopedDb } from '../db/caller-transactions.js'
import type { Queryable } from '../db/types.js'

export interface AuthOptions {
  /** Signs the session cookie (≥ 32 characters); a random one per process when absent (tests). */
  sessionSecret?: string
  /** Secure cookies named __Host-povmap_sid (HTTPS only); false: povmap_sid, for http://localhost. */
  cookieSecure?: boolean
  /** 'personal': the roles of totpRoles need TOTP; 'off': nobody (demo only). */
  totp?: 'personal' | 'off'
  /** Roles that need a second factor (default TOTP_ROLES: the registry roles and auditors). */
  totpRoles?: readonly Role[]
  idleMinutes?: number
  maxHours?: number
  /** How long a session read from the database is trusted by this process (ms, default 2000; see DbSessionStore). */
  sessionTrustMs?: number
}

/**
 * What a route may declare in `config`:
 * - access: who may call it (default by path, see defaultAccess: deny by default)
 * - area: 'scope' (default) — an area code in params/query must be the caller's area or below;
 *         'path' — the divisions above it too (division heads and children); 'none' — not checked
 * - householdGuard: false to opt out of the generic household check (routes under /api/households/:id)
 * - csrf: false to opt out of the CSRF token check (no route does); 'login': the pre-login token of
 *   GET /api/auth/csrf, bound to a cookie instead of a session (sign-in)
 */
export interface AccessConfig {
  access?: Access
  area?: 'scope' | 'path' | 'none'
  householdGuard?: boolean
  csrf?: boolean | 'login'
}

export interface RouteInfo {
  method: string
  url: string
  access: Access
  area: 'scope' | 'path' | 'none'
  /** Query-string parameters a request must give (required in the route's schema, without a default). */
  query: string[]
  /** Whether the route takes a body (from the route's schema). */
  body: boolean
}

/**
 * Answers a GET on node's request event (before Fastify), for a signed-in caller with the second
 * factor; it checks the caller's role itself. Returns true when it takes the request, false (having
 * written nothing) to let the request go the ordinary way; having taken it, it may still hand it to
 * the ordinary way with `pass()` as long as it has written nothing.
 */
export type EarlyAnswer = (req: IncomingMessage, res: ServerResponse, caller: Caller, pass: () => void, sid: string) => boolean

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
    area?: 'scope' | 'path' | 'none'
    householdGuard?: boolean
    csrf?: boolean | 'login'
  }
  interface FastifyRequest {
    /** The signed-in user (fresh from the database on every request), or null. */
    caller: Caller | null
  }
  interface FastifyInstance {
    /** A database handle that runs as the request role with the caller's scope (RLS applies). */
    scopedDb(req: FastifyRequest): ScopedDb
    /** The caller as the database sees it (role, scope, who, from where). */
    dbCaller(req: FastifyRequest): DbCaller
    /** Appends an audit entry for this request (own transaction; use appendAudit(tx, …) inside one). */
    audit(req: FastifyRequest, entry: Omit<AuditEntry, 'actorId' | 'actorUsername' | 'actorRole' | 'ip' | 'userAgent' | 'requestId'>): Promise<void>
    /** The sign-in CSRF token, bound to a cookie (no session exists before sign-in). */
    loginCsrf: { issue(req: FastifyRequest, reply: FastifyReply): string; valid(req: FastifyRequest): boolean; clear(reply: FastifyReply): void }
    /** Every registered route with the access it got: the route inventory. */
    routeInventory: RouteInfo[]
    /** Registers an answer that may serve a GET before Fastify and the session are involved (see EarlyAnswer). */
    answerEarly(fn: EarlyAnswer): void
    authOptions: Required<Pick<AuthOptions, 'cookieSecure' | 'totp' | 'totpRoles'>> & { cookieName: string }
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
/** Parameter and query names that hold an administrative code. */
const AREA_KEYS = ['code', 'parent', 'area', 'areaCode']
/** Household URLs name the opaque ref (a UUID); a numeric id never reaches the lookup (the route's schema refuses it). */
const HOUSEHOLD_REF = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export function auditFields(req: FastifyRequest) {
  return {
    actorId: req.caller?.userId ?? null,
    actorUsername: req.caller?.username ?? null,
    actorRole: req.caller?.role ?? null,
    ip: req.ip,
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    requestId: req.id,
  }
}

const deny = (reply: FastifyReply, status: 401 | 403 | 404, message: string) =>
  reply.code(status).send({ error: status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found', message })

/**
 * Sign-in state and the access rules every route passes through: sessions (server-side, in the
 * database), CSRF tokens bound to the session, deny by default per route, area scope of codes in
 * the URL, and the database handle that carries the caller into row-level security.
 */
export default fp<AuthOptions>(
  async (app: FastifyInstance, opts) => {
    const cookieSecure = opts.cookieSecure ?? false
    const cookieName = cookieSecure ? '__Host-povmap_sid' : 'povmap_sid'
    const idleMs = (opts.idleMinutes ?? 30) * 60_000
    const totp = opts.totp ?? 'personal'
    const totpRoles = opts.totpRoles ?? TOTP_ROLES
    const needsSecondFactor = (role: Role) => totp === 'personal' && totpRoles.includes(role)
    const store = new DbSessionStore(app.db, { idleMs, maxAgeMs: (opts.maxHours ?? 12) * 3_600_000, trustMs: opts.sessionTrustMs, needsSecondFactor })
    app.decorate('authOptions', { cookieSecure, totp, totpRoles, cookieName })
    // A second factor required since these sessions began (TOTP_REQUIRED or TOTP_ROLES changed): they
    // must enrol before any more data, in the database too.
    const demoted = await store.demoteUnenrolled(totp === 'personal' ? totpRoles : []).catch((err: unknown) => {
      // A database not migrated yet (health still answers) has no sessions to demote.
      if (['42P01', '42704', '22023'].includes((err as { code?: string }).code ?? '')) return 0
      throw err
    })
    if (demoted > 0) app.log.warn({ sessions: demoted }, 'sessions of accounts without the second factor their role now needs must enrol before any data')
    // Other processes on the same database end sessions and change accounts too: they say so.
    const stopListening = await app.db.listen?.('povmap_sessions', () => store.distrustAll())
    app.addHook('onClose', async () => stopListening?.())

    // One signer for the session cookie, shared with the early answers below.
    const cookieSecret = opts.sessionSecret ?? randomBytes(32).toString('base64url')
    const signer = new Signer(cookieSecret, 'sha256')

    // ---- the sign-in CSRF token: no session (and no database row) before sign-in --------------------------
    // GET /api/auth/csrf gives an anonymous browser a random nonce in a cookie and the token
    // HMAC(key, nonce); sign-in checks the pair (double submit, keyed so that the token cannot be made
    // from the cookie). Signed-in callers get their session's token as before.
    const loginCookie = cookieSecure ? '__Host-povmap_login' : 'povmap_login'
    const loginKey = createHmac('sha256', cookieSecret).update('povmap sign-in csrf').digest()
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

    // ---- 0. early answers: on node's request event, for a caller this process already trusts ----------
    // A map asks for dozens of tiles a second; a cached one needs no database, no session object and
    // no Fastify request, only the caller. The session id behind a cookie header is remembered once its
    // signature has been checked (a pure function of the header); whether that session is still good
    // is asked of the store every time (trusted for at most trustMs, and never after a sign-out or an
    // account change). Whatever an answer does not serve goes the ordinary way, every check included.
    const sessionByCookie = new Map<string, { sid: string; hash: string }>()
    const trustedSession = (cookieHeader: string | undefined): { caller: Caller; sid: string } | undefined => {
      if (!cookieHeader) return undefined
      let known = sessionByCookie.get(cookieHeader)
      if (known === undefined) {
        const signed = fastifyCookie.parse(cookieHeader)[cookieName]
        const unsigned = signed ? signer.unsign(signed) : undefined
        if (!unsigned?.valid || !unsigned.value) return undefined
        known = { sid: unsigned.value, hash: sessionIdHash(unsigned.value) }
        if (sessionByCookie.size >= 10_000) sessionByCookie.clear()
        sessionByCookie.set(cookieHeader, known)
      }
      const caller = store.peekHashed(known.hash)?.caller
      return caller ? { caller, sid: known.sid } : undefined
    }
    app.decorate('answerEarly', (fn: EarlyAnswer) => {
      app.earlyAnswers.add((req, res, pass) => {
        // Two Cookie headers (node would join them) are left to the full path.
        const trusted = trustedSession(rawHeader(req, 'cookie'))
        return trusted !== undefined && trusted.caller.factor === 'ok' && fn(req, res, trusted.caller, pass, trusted.sid)
      })
    })

    await app.register(cookie)
    await app.register(session, {
      secret: signer,
      cookieName,
      store: store as never,
      saveUninitialized: false,
      rolling: false,
      // No maxAge: a browser-session cookie; the server ends sessions when idle or too old.
      cookie: { path: '/', httpOnly: true, sameSite: 'strict', secure: cookieSecure },
    })
    await app.register(csrf, {
      sessionPlugin: '@fastify/session',
      // Only from the header: a cross-site form cannot set it.
      getToken: (req: FastifyRequest) => {
        const t = req.headers['x-csrf-token']
        return typeof t === 'string' ? t : ''
      },
    })

    app.decorateRequest('caller', null)
    app.addHook('onRequest', async (req) => {
      req.caller = (req.session as unknown as SessionData | null)?.caller ?? null
    })

    const dbCaller = (req: FastifyRequest): DbCaller => {
      const c = req.caller
      if (!c) throw Object.assign(new Error('no caller: this route must declare its access'), { statusCode: 401 })
      return {
        // The database looks the caller up from this (migration 0009); the rest is for audit rows.
        sid: req.session.sessionId,
        role: c.role,
        scope: c.scope,
        userId: c.userId,
        username: c.username,
        ip: req.ip,
        userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
        requestId: req.id,
      }
    }
    app.decorate('dbCaller', dbCaller)
    app.decorate('scopedDb', (req: FastifyRequest) => app.requestDb.scoped(dbCaller(req)))
    const audit = async (req: FastifyRequest, entry: Omit<AuditEntry, 'actorId' | 'actorUsername' | 'actorRole' | 'ip' | 'userAgent' | 'requestId'>) => {
      // As the caller's session (the database checks that the actor is its user), or anonymous.
      const write = (tx: Queryable) => appendAudit(tx, { ...entry, ...auditFields(req) })
      await (req.caller ? app.requestDb.withCaller(dbCaller(req), write) : app.requestDb.asApp(write))
    }
    app.decorate('audit', audit)
    // A deny is never held up or undone by a failing audit write; the failure is logged.
    const auditQuietly = (req: FastifyRequest, entry: Parameters<typeof audit>[1]) =>
      audit(req, entry).catch((err: unknown) => req.log.warn({ err }, 'could not write the audit entry of a denied request'))

    // ---- the route inventory; every route gets an access level --------------------------------------
    const inventory: RouteInfo[] = []
    app.decorate('routeInventory', inventory)
    app.addHook('onRoute', (route) => {
      const config = (route.config ?? {}) as AccessConfig
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      const access = config.access ?? defaultAccess(methods[0]!, route.url)
      const area = config.area ?? 'scope'
      route.config = { ...route.config, access, area }
      const schema = route.schema as { querystring?: { required?: string[]; properties?: Record<string, { default?: unknown }> }; body?: unknown } | undefined
      const qs = schema?.querystring
      const query = (qs?.required ?? []).filter((k) => qs?.properties?.[k]?.default === undefined)
      for (const m of methods) inventory.push({ method: m, url: route.url, access, area, query, body: schema?.body !== undefined })
    })

    // ---- 1. who: signed in, second factor, role ------------------------------------------------------
    const checkWho = async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.is404) return
      const access = req.routeOptions.config.access ?? 'data'
      if (access === 'public') return
      const c = req.caller
      if (!c) return deny(reply, 401, 'sign in first (POST /api/auth/login)')
      if (c.factor !== 'ok' && access !== 'signed-in') {
        return deny(reply, 403, 'this account needs a second factor: enrol one (POST /api/auth/totp/enrol) before using the data')
      }
      if (!roleAllows(access, c.role)) {
        await auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: c.scope, target: `${req.method} ${req.routeOptions.url}`, detail: { reason: 'role', access } })
        return deny(reply, 403, `the role ${c.role} may not use this`)
      }
    }
    // A request with a body is checked before the body is read: otherwise anyone could make the server
    // hold an 8 MiB photo or a 1 MiB JSON body for as long as they take to send it. preParsing runs after
    // every onRequest hook (the session and caller above, the rate limit) and before the body is read;
    // Node discards an unread body once the answer is sent. Requests without a body: preValidation.
    app.addHook('preParsing', async (req, reply) => {
      const length = req.headers['content-length']
      // Awaited to the end of a refusal's answer, so that no body parser starts meanwhile (Fastify's `return reply`).
      if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined) await checkWho(req, reply)
    })
    app.addHook('preValidation', checkWho)

    // ---- 2. CSRF: every state-changing request carries the session's token; no cross-site origin ----
    app.addHook('preValidation', async (req, reply) => {
      if (req.is404 || SAFE_METHODS.has(req.method) || req.routeOptions.config.csrf === false) return
      const origin = req.headers.origin
      const site = req.headers['sec-fetch-site']
      const crossOrigin = (typeof origin === 'string' && origin !== 'null' && safeHost(origin) !== req.host) || origin === 'null' || site === 'cross-site'
      if (crossOrigin) {
        await auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: req.caller?.scope ?? null, target: `${req.method} ${req.routeOptions.url}`, detail: { reason: 'cross-origin' } })
        return deny(reply, 403, 'cross-origin requests are refused')
      }
    })
    // Callback style: on a missing or wrong token the plugin answers 403 itself and never calls done.
    app.addHook('preValidation', (req, reply, done) => {
      if (req.is404 || SAFE_METHODS.has(req.method) || req.routeOptions.config.csrf === false || reply.sent) return done()
      if (req.routeOptions.config.csrf === 'login') {
        if (app.loginCsrf.valid(req)) return done()
        // Like the plugin below: the refusal is the answer, and done is not called.
        void auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: null, target: `${req.method} ${req.routeOptions.url}`, detail: { reason: 'csrf' } }).then(() =>
          deny(reply, 403, 'missing or invalid CSRF token: GET /api/auth/csrf first, send it as x-csrf-token'),
        )
        return
      }
      app.csrfProtection(req, reply, done)
    })
    app.addHook('onError', async (req, _reply, err) => {
      if ((err as { code?: string }).code?.startsWith('FST_CSRF')) {
        await auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: req.caller?.scope ?? null, target: `${req.method} ${req.routeOptions.url}`, detail: { reason: 'csrf' } })
      }
    })

    // ---- 3. where: area codes in the URL, households by id --------------------------------------------
    app.addHook('preHandler', async (req, reply) => {
      if (req.is404) return
      const config = req.routeOptions.config
      const c = req.caller
      if (!c || config.access === 'public') return
      if (config.area !== 'none') {
        for (const code of areaCodesOf(req)) {
          const rel = areaRelation(c.scope, code)
          if (rel === 'inside' || (rel === 'above' && config.area === 'path')) continue
          // Filed under the caller's area (its auditors see the probing), with the area asked for in the detail.
          await auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: c.scope, target: `${req.method} ${req.routeOptions.url}`, detail: { reason: 'area', relation: rel, area: code } })
          return rel === 'above' ? deny(reply, 403, `the area ${code} is above yours (${c.scope}): only its name and outline are shown`) : deny(reply, 404, `no administrative division with code ${code}`)
        }
      }
      const id = (req.params as Record<string, unknown> | undefined)?.id
      if (config.householdGuard !== false && req.routeOptions.url?.startsWith('/api/households/:id') && typeof id === 'string' && HOUSEHOLD_REF.test(id)) {
        const found = await app.scopedDb(req).run(async (tx: Queryable) => {
          const { rows } = await tx.query<{ village: string }>('SELECT village_code AS village FROM household WHERE ref = $1::uuid', [id])
          const v = rows[0]?.village
          if (v) await appendAudit(tx, { ...auditFields(req), action: 'household.view', outcome: 'ok', area: v, target: id, detail: { route: req.routeOptions.url } })
          return v !== undefined
        })
        if (!found) {
          await auditQuietly(req, { action: 'access.denied', outcome: 'denied', area: c.scope, target: id, detail: { reason: 'household', route: req.routeOptions.url } })
          return deny(reply, 404, `no household ${id}`)
        }
      }
    })

    // Personal and scoped answers must not be stored by the browser or any cache on the way.
    app.addHook('onSend', async (req, reply, payload) => {
      // A state change (sign-out, disabled account, new role or scope) has committed by now: no
      // session read before it may answer the next request.
      if (!SAFE_METHODS.has(req.method)) store.distrustAll()
      if (!req.is404 && req.routeOptions.config.access !== 'public' && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
      return payload
    })

    // Expired and idle sessions: swept every few minutes (each load refuses them anyway).
    const sweep = setInterval(() => {
      store.sweep().catch((err: unknown) => app.log.warn({ err }, 'session sweep failed'))
    }, Math.min(idleMs, 10 * 60_000))
    sweep.unref()
    app.addHook('onClose', async () => clearInterval(sweep))
  },
  { name: 'auth', fastify: '5.x', dependencies: ['db'] },
)

function safeHost(origin: string): string | null {
  try {
    return new URL(origin).host
  } catch {
    return null
  }
}

function areaCodesOf(req: FastifyRequest): string[] {
  const out: string[] = []
  for (const bag of [req.params, req.query] as (Record<string, unknown> | undefined)[]) {
    if (!bag || typeof bag !== 'object') continue
    for (const k of AREA_KEYS) {
      const v = bag[k]
      if (typeof v === 'string' && ADMIN_CODE.test(v)) out.push(v)
    }
  }
  return out
}
