import type { FastifyPluginAsync } from 'fastify'

/** Routes of the identification capability (registered by app.ts; filled by its issue's work). */
const identification: FastifyPluginAsync = async () => {}

export default identification
