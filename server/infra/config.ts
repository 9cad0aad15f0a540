import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { resolve } from 'node:path'
import { isIP } from 'node:net'
import { ROLES, TOTP_ROLES, type Role } from '../../domain/roles.js'

/** Environment, validated once at start-up; nothing else reads process.env. */
const EnvSchema = Type.Object({
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  APP_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  HOST: Type.String({ default: '127.0.0.1' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  LOAD_DEMO: Type.Union([Type.Literal('auto'), Type.Literal('never')], { default: 'auto' }),
  DEMO_SEED: Type.Integer({ default: 1, minimum: 0, maximum: 2147483647 }),
  PG_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  PG_CONNECT_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 100 }),
  PG_STATEMENT_TIMEOUT_MS: Type.Integer({ default: 30000, minimum: 100 }),
  // auth (issue 6)
  COOKIE_SECURE: Type.Boolean({ default: false }),
  // Parsed by trustProxyOf below: false, a number of hops, or proxy addresses and CIDRs; never `true`.
  TRUST_PROXY: Type.String({ default: 'false', maxLength: 2000 }),
  SESSION_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  SESSION_IDLE_MINUTES: Type.Integer({ default: 30, minimum: 1, maximum: 1440 }),
  SESSION_MAX_HOURS: Type.Integer({ default: 12, minimum: 1, maximum: 168 }),
  TOTP_REQUIRED: Type.Union([Type.Literal('personal'), Type.Literal('off')], { default: 'personal' }),
  // Comma-separated roles that need a second factor; unset: TOTP_ROLES of server/auth/roles.ts.
  TOTP_ROLES: Type.Optional(Type.String({ maxLength: 400 })),
  DEMO_ACCOUNTS: Type.Union([Type.Literal('auto'), Type.Literal('never')], { default: 'auto' }),
  POVMAP_DEMO_PASSWORD: Type.Optional(Type.String({ minLength: 12, maxLength: 128 })),
  LOGIN_RATE_PER_MIN: Type.Integer({ default: 30, minimum: 1, maximum: 10000 }),
  RATE_LIMIT_API_PER_MIN: Type.Integer({ default: 600, minimum: 1 }),
  RATE_LIMIT_TILES_PER_MIN: Type.Integer({ default: 6000, minimum: 1 }),
  POVMAP_SECRET_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/_-]{43}=?$', description: '32 bytes, base64' })),
  // Field photos per user and hour; at least 9 MB, one photo at the 8 MiB limit.
  PHOTO_UPLOADS_PER_HOUR: Type.Integer({ default: 120, minimum: 1, maximum: 100000 }),
  PHOTO_UPLOAD_MB_PER_HOUR: Type.Integer({ default: 500, minimum: 9, maximum: 1000000 }),
  // Registry workflow (issue 16): days of a public notice (公示) step; 0 passes it at once.
  NOTICE_DAYS: Type.Integer({ default: 7, minimum: 0, maximum: 90 }),
})

export interface Config {
  databaseUrl: string | undefined
  /**
   * Optional: request-scoped queries connect as this login role (a member of povmap_app only: owns
   * nothing, NOBYPASSRLS) instead of switching roles on the owner's connections; migrations, loads
   * and start-up keep DATABASE_URL. Needs DATABASE_URL.
   */
  appDatabaseUrl: string | undefined
  dataDir: string
  port: number
  host: string
  logLevel: Static<typeof EnvSchema>['LOG_LEVEL']
  /** 'auto': load the demo data when the database holds none yet (first start). */
  loadDemo: 'auto' | 'never'
  demoSeed: number
  pg: { poolMax: number; connectTimeoutMs: number; statementTimeoutMs: number }
  auth: {
    /** Secure cookies named __Host-povmap_sid; needs HTTPS (or TRUST_PROXY behind a TLS proxy). */
    cookieSecure: boolean
    /**
     * Which X-Forwarded-* hops to believe (protocol for Secure cookies, client address for audit rows and
     * rate limits): false, none; a number, that many proxies in front; a list, the proxies with these
     * addresses or CIDRs (or proxy-addr's names loopback, linklocal, uniquelocal). Never every hop.
     */
    trustProxy: TrustProxy
    /** Signs session cookies; unset: a random one kept in the database (table app_secret). */
    sessionSecret: string | undefined
    idleMinutes: number
    maxHours: number
    totp: 'personal' | 'off'
    /** Roles that need a second factor when totp is 'personal'. */
    totpRoles: readonly Role[]
    /** 'auto': create the demo accounts when the database has no account yet. */
    demoAccounts: 'auto' | 'never'
    demoPassword: string | undefined
    loginPerMinute: number
    apiPerMinute: number
    tilesPerMinute: number
    /** Seals TOTP seeds at rest (AES-256-GCM); unset: DATA_DIR/secret.key, generated once with mode 0600. */
    secretKey: Buffer | undefined
  }
  /** Field photo uploads allowed per user and hour (counted before a body is read). */
  photos: { uploadsPerHour: number; bytesPerHour: number }
  /** Registry workflow: NOTICE_DAYS. */
  registry: { noticeDays: number }
}

/** What Fastify's trustProxy is given (see Config.auth.trustProxy). */
export type TrustProxy = false | number | string[]

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Reads and validates the environment; throws ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(EnvSchema.properties)) {
    const v = env[key]
    if (v !== undefined && v !== '') raw[key] = v
  }
  const withDefaults = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw))
  if (!Value.Check(EnvSchema, withDefaults)) {
    const first = Value.Errors(EnvSchema, withDefaults)[0]
    const where = first ? first.instancePath.replace(/^\//, '') : 'environment'
    throw new ConfigError(`invalid ${where}: ${first?.message ?? 'does not match the schema'}`)
  }
  const e = withDefaults as Static<typeof EnvSchema>
  if (e.APP_DATABASE_URL && !e.DATABASE_URL) throw new ConfigError('invalid APP_DATABASE_URL: it needs DATABASE_URL (the embedded database has no login roles)')
  const secretKey = e.POVMAP_SECRET_KEY === undefined ? undefined : Buffer.from(e.POVMAP_SECRET_KEY, /[-_]/.test(e.POVMAP_SECRET_KEY) ? 'base64url' : 'base64')
  if (secretKey && secretKey.length !== 32) throw new ConfigError('invalid POVMAP_SECRET_KEY: must be 32 bytes, base64 (openssl rand -base64 32)')
  return {
    databaseUrl: e.DATABASE_URL,
    appDatabaseUrl: e.APP_DATABASE_URL,
    dataDir: resolve(e.DATA_DIR),
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    loadDemo: e.LOAD_DEMO,
    demoSeed: e.DEMO_SEED,
    pg: {
      poolMax: e.PG_POOL_MAX,
      connectTimeoutMs: e.PG_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.PG_STATEMENT_TIMEOUT_MS,
    },
    auth: {
      cookieSecure: e.COOKIE_SECURE,
      trustProxy: trustProxyOf(e.TRUST_PROXY),
      sessionSecret: e.SESSION_SECRET,
      idleMinutes: e.SESSION_IDLE_MINUTES,
      maxHours: e.SESSION_MAX_HOURS,
      totp: e.TOTP_REQUIRED,
      totpRoles: totpRolesOf(e.TOTP_ROLES),
      demoAccounts: e.DEMO_ACCOUNTS,
      demoPassword: e.POVMAP_DEMO_PASSWORD,
      loginPerMinute: e.LOGIN_RATE_PER_MIN,
      apiPerMinute: e.RATE_LIMIT_API_PER_MIN,
      tilesPerMinute: e.RATE_LIMIT_TILES_PER_MIN,
      secretKey,
    },
    photos: { uploadsPerHour: e.PHOTO_UPLOADS_PER_HOUR, bytesPerHour: e.PHOTO_UPLOAD_MB_PER_HOUR * 1_000_000 },
    registry: { noticeDays: e.NOTICE_DAYS },
  }
}

function totpRolesOf(v: string | undefined): readonly Role[] {
  if (v === undefined) return TOTP_ROLES
  const roles = v.split(',').map((r) => r.trim()).filter(Boolean)
  const unknown = roles.find((r) => !(ROLES as readonly string[]).includes(r))
  if (unknown !== undefined) throw new ConfigError(`invalid TOTP_ROLES: ${JSON.stringify(unknown.slice(0, 40))} is not a role (roles: ${ROLES.join(', ')})`)
  return roles as Role[]
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])
const MAX_PROXY_HOPS = 16

/**
 * TRUST_PROXY → Fastify's trustProxy. `true` (trust every hop) is refused: the client address would be
 * the leftmost X-Forwarded-For entry, which the client writes itself, so anyone could pick the address
 * that the sign-in rate limit counts and the audit log records.
 */
export function trustProxyOf(value: string): TrustProxy {
  const v = value.trim()
  const bad = (why: string) => new ConfigError(`invalid TRUST_PROXY: ${why}`)
  if (v === '' || v.toLowerCase() === 'false') return false
  if (['true', 'yes', 'on', 'all', '*'].includes(v.toLowerCase())) {
    throw bad(
      `${JSON.stringify(v)} would trust every hop, so any client could forge its address with X-Forwarded-For; give the number of proxies in front of povmap (e.g. TRUST_PROXY=1) or their addresses or CIDRs (e.g. TRUST_PROXY=10.0.0.2,10.1.0.0/16)`,
    )
  }
  if (/^-?[0-9]+(\.[0-9]*)?$/.test(v)) {
    const hops = Number(v)
    if (!Number.isInteger(hops) || hops < 1 || hops > MAX_PROXY_HOPS) throw bad(`the number of proxies in front of povmap must be a whole number from 1 to ${MAX_PROXY_HOPS} (false: none)`)
    return hops
  }
  const list = v.split(',').map((x) => x.trim())
  for (const entry of list) {
    if (PROXY_NAMES.has(entry)) continue
    const [address, prefix, extra] = entry.split('/')
    const family = isIP(address ?? '')
    if (!family || extra !== undefined) throw bad(`${JSON.stringify(entry.slice(0, 60))} is not an IP address, a CIDR or one of ${[...PROXY_NAMES].join(', ')}; give the number of proxies in front of povmap or their addresses or CIDRs, separated by commas`)
    if (prefix !== undefined) {
      const bits = /^[0-9]{1,3}$/.test(prefix) ? Number(prefix) : NaN
      if (!(bits <= (family === 4 ? 32 : 128))) throw bad(`${JSON.stringify(entry.slice(0, 60))} has no valid prefix length`)
      if (bits === 0) throw bad(`${JSON.stringify(entry)} holds every address, which trusts every hop; name the proxies' own addresses or ranges`)
    }
  }
  return list
}
