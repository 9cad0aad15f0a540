import type { FastifyPluginAsync } from 'fastify'
import usersRoutes from './users-routes.js'
import accountRequestsRoutes from './account-requests-routes.js'

/** The accounts capability: accounts of an area (province administrators) and the four-eyes requests on them. */
const accounts: FastifyPluginAsync = async (app) => {
  await app.register(usersRoutes)
  await app.register(accountRequestsRoutes)
}

export default accounts
