import type { FastifyPluginAsync } from 'fastify'

/** Routes of the registry capability (registered by app.ts; filled by its issue's work). */
const registry: FastifyPluginAsync = async () => {}

export default registry
