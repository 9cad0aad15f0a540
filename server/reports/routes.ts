import type { FastifyPluginAsync } from 'fastify'
import reportRoutes from './report-routes.js'

/** Routes of the reports capability: statistical tables and snapshots, exports, imports (issue 19). */
const reports: FastifyPluginAsync = async (app) => {
  await app.register(reportRoutes)
}

export default reports
