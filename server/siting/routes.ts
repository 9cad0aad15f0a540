import type { FastifyPluginAsync } from 'fastify'

/** Routes of the siting capability (registered by app.ts; filled by its issue's work). */
const siting: FastifyPluginAsync = async () => {}

export default siting
