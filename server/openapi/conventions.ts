/**
 * What the OpenAPI document adds to the routes' own schemas so that generated clients work: a stable,
 * unique operationId per operation and the security each one needs. Both are derived from what every
 * route has wherever it is registered — its method, its URL and its `config` (access, csrf) — never
 * from where the route is declared.
 */

/** The session cookie: POST /api/auth/login sets it. */
export const SESSION_COOKIE = 'sessionCookie'
/** The CSRF token header every state-changing request sends. */
export const CSRF_HEADER = 'csrfToken'

export type SecurityRequirement = Record<string, string[]>

interface SecurityScheme {
  type: 'apiKey'
  in: 'cookie' | 'header'
  name: string
  description: string
}

/** components.securitySchemes, with the session cookie's name as the server sets it (__Host-povmap_sid behind HTTPS). */
export function securitySchemes(cookieName: string): Record<string, SecurityScheme> {
  return {
    [SESSION_COOKIE]: {
      type: 'apiKey',
      in: 'cookie',
      name: cookieName,
      description:
        'The session, set by POST /api/auth/login (HttpOnly, SameSite=Strict). Named __Host-povmap_sid (Secure) when the server runs ' +
        'with COOKIE_SECURE=true behind HTTPS, povmap_sid otherwise.',
    },
    [CSRF_HEADER]: {
      type: 'apiKey',
      in: 'header',
      name: 'x-csrf-token',
      description:
        'The CSRF token, sent with every POST, PUT, PATCH and DELETE. Signed in: the session’s token, answered by POST /api/auth/login, ' +
        'GET /api/auth/me and GET /api/auth/csrf. Before sign-in, GET /api/auth/csrf answers a token bound to the povmap_login cookie it sets.',
    },
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The parts of a route's config that decide its security (see plugins/auth.ts). */
export interface RouteSecurityConfig {
  access?: string
  csrf?: boolean | 'login'
}

/**
 * What calling a route takes: a route that is not public needs the session cookie; a state-changing
 * method needs the CSRF header too (sign-in included, with its pre-sign-in token); a public read, nothing.
 */
export function securityFor(methods: readonly string[], config: RouteSecurityConfig | undefined): SecurityRequirement[] | undefined {
  const changesState = methods.some((m) => !SAFE_METHODS.has(m.toUpperCase())) && config?.csrf !== false
  const csrf: SecurityRequirement = changesState ? { [CSRF_HEADER]: [] } : {}
  if (config?.access === 'public') return changesState ? [csrf] : undefined
  return [{ [SESSION_COOKIE]: [], ...csrf }]
}

const isParam = (segment: string) => segment.startsWith(':') || segment.startsWith('{')
/** A parameter's name: `:code`, `{code}`, `:code(^\\d+)` and `:y.mvt` all name `code` or `y`. */
const paramName = (segment: string) => /^[:{]([A-Za-z0-9_]+)/.exec(segment)?.[1] ?? ''
const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)

/**
 * A stable operationId from the method and the URL (Fastify's `:param` or OpenAPI's `{param}` form):
 * the verb, the URL's fixed words in camelCase without `/api` (a file extension counts as a word), and
 * the parameters the URL ends with. GET /api/areas/:code/children → getAreasChildren;
 * GET /api/photos/:ref → getPhotosByRef; GET /tiles/terrain/:z/:x/:y → getTilesTerrainByZXY.
 */
export function operationIdFor(method: string, url: string): string {
  const segments = url.replace(/^\/api(?=\/|$)/, '').split('/').filter(Boolean)
  let fixedEnd = segments.length
  while (fixedEnd > 0 && isParam(segments[fixedEnd - 1]!)) fixedEnd--
  const words = segments
    .slice(0, fixedEnd)
    .filter((s) => !isParam(s))
    .flatMap((s) => s.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
  const params = segments.slice(fixedEnd).map(paramName).filter(Boolean)
  return method.toLowerCase() + words.map(capital).join('') + (params.length ? `By${params.map(capital).join('')}` : '')
}

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

type Operation = { operationId?: string } & Record<string, unknown>
type Paths = Record<string, Partial<Record<string, Operation>>>

/**
 * Gives each operation of the document that has none its derived operationId (a route with several
 * methods shares one operation object: each method gets a copy), and refuses a document where two
 * operations share one, naming them.
 */
export function addOperationIds(paths: Paths): void {
  const seen = new Map<string, string>()
  for (const [path, item] of Object.entries(paths)) {
    for (const method of OPERATION_METHODS) {
      const op = item[method]
      if (!op) continue
      const id = op.operationId ?? operationIdFor(method, path)
      const where = `${method.toUpperCase()} ${path}`
      const other = seen.get(id)
      if (other) throw new Error(`operationId ${id} of ${where} is also that of ${other}: give one of the routes an explicit schema.operationId`)
      seen.set(id, where)
      item[method] = { operationId: id, ...op }
    }
  }
}
