import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { resolve } from 'node:path'

/** Environment, validated once at start-up; nothing else reads process.env. */
const EnvSchema = Type.Object({
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
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
})

export interface Config {
  databaseUrl: string | undefined
  dataDir: string
  port: number
  host: string
  logLevel: Static<typeof EnvSchema>['LOG_LEVEL']
  /** 'auto': load the demo data when the database holds none yet (first start). */
  loadDemo: 'auto' | 'never'
  demoSeed: number
  pg: { poolMax: number; connectTimeoutMs: number; statementTimeoutMs: number }
}

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
  return {
    databaseUrl: e.DATABASE_URL,
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
  }
}
