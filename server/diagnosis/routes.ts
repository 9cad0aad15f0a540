import type { FastifyPluginAsync } from 'fastify'
import indicatorRoutes from './indicator-routes.js'
import diagnosisRoutes from './diagnosis-routes.js'

/** The diagnosis capability: environment indicators, area diagnosis, projects, inspection ranking. */
const diagnosis: FastifyPluginAsync = async (app) => {
  await app.register(indicatorRoutes)
  await app.register(diagnosisRoutes)
}

export default diagnosis
