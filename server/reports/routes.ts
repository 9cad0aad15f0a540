import type { FastifyPluginAsync } from 'fastify'

/** Routes of the reports capability (registered by app.ts; filled by its issue's work). */
const reports: FastifyPluginAsync = async () => {}

export default reports
