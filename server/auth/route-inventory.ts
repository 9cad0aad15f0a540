import fp from 'fastify-plugin'
import { defaultAccess, type Access } from './roles.js'

/** Where a route's area codes must lie (see AccessConfig). */
export type AreaRule = 'scope' | 'path' | 'none'

/**
 * What a route may declare in `config`:
 * - access: who may call it (default by path, see defaultAccess: deny by default)
 * - area: 'scope' (default) — an area code in params/query must be the caller's area or below;
 *         'path' — the divisions above it too (division heads and children); 'none' — not checked
 * - csrf: false to opt out of the CSRF token check (no route does); 'login': the pre-login token of
 *   GET /api/auth/csrf, bound to a cookie instead of a session (sign-in)
 */
export interface AccessConfig {
  access?: Access
  area?: AreaRule
  csrf?: boolean | 'login'
}

export interface RouteInfo {
  method: string
  url: string
  access: Access
  area: AreaRule
  /** Query-string parameters a request must give (required in the route's schema, without a default). */
  query: string[]
  /** Whether the route takes a body (from the route's schema). */
  body: boolean
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
    area?: AreaRule
    csrf?: boolean | 'login'
  }
  interface FastifyInstance {
    /** Every registered route with the access it got: the route inventory. */
    routeInventory: RouteInfo[]
  }
}

/** Gives every route registered after it an access level and an area rule, and lists them (tests walk the list). */
export default fp(
  async (app) => {
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
  },
  { name: 'route-inventory', fastify: '5.x' },
)
