import type { FastifyPluginAsync } from 'fastify'
import identificationAreaRoutes from './area-routes.js'
import identificationHouseholdRoutes from './household-routes.js'
import identificationScenarioRoutes from './scenario-routes.js'

/**
 * The identification capability (issue 17): the Alkire–Foster measure of areas (/api/areas/:code/mpi,
 * children/mpi and their profiles), why a household is (not) poor, the configuration and scenarios.
 */
const identification: FastifyPluginAsync = async (app) => {
  await app.register(identificationAreaRoutes)
  await app.register(identificationHouseholdRoutes)
  await app.register(identificationScenarioRoutes)
}

export default identification
