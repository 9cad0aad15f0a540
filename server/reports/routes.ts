import type { FastifyPluginAsync } from 'fastify'
import reportRoutes from './report-routes.js'
import exportRoutes from './export-routes.js'
import importRoutes from './import-routes.js'

/** Routes of the reports capability: statistical tables and snapshots, exports, imports (issue 19). */
const reports: FastifyPluginAsync = async (app) => {
  await app.register(reportRoutes)
  await app.register(exportRoutes)
  await app.register(importRoutes)
}

export default reports
