import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { packageVersion } from '../cli/args.js'
import { addOperationIds, securityFor, securitySchemes, type RouteSecurityConfig } from './conventions.js'

/**
 * The OpenAPI document (GET /api/docs/json) and its UI (/api/docs), built from the schemas of the routes
 * registered after this plugin: with the security each operation needs and an operationId on each.
 * Registered after the sign-in plugin, whose session cookie it names.
 */
export default fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: 'povmap API', description: '精准扶贫一张图 — Hunan precision poverty alleviation platform', version: packageVersion() },
        components: { securitySchemes: securitySchemes(app.authOptions.cookieName) },
      },
      transform: ({ schema, url, route }) => {
        if (schema?.security) return { schema, url }
        const methods = Array.isArray(route.method) ? route.method : [route.method]
        const security = securityFor(methods, route.config as RouteSecurityConfig | undefined)
        return { schema: security ? { ...schema, security } : schema, url }
      },
      transformObject: (documentObject) => {
        const doc = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject
        addOperationIds((doc.paths ?? {}) as Parameters<typeof addOperationIds>[0])
        return doc
      },
    })
    await app.register(swaggerUi, { routePrefix: '/api/docs' })
    // Built once the routes are in: two operations with one operationId stop the start, not a later request.
    app.addHook('onReady', async () => void app.swagger())
  },
  { name: 'openapi', fastify: '5.x', decorators: { fastify: ['authOptions'] } },
)
