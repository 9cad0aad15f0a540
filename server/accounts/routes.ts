import type { FastifyPluginAsync } from 'fastify'
import usersRoutes from './users-routes.js'
import accountRequestsRoutes from './account-requests-routes.js'
import totpResetRoutes from './totp-reset-routes.js'

/** The accounts capability: accounts of an area (province administrators) and the four-eyes requests on them. */
const accounts: FastifyPluginAsync = async (app) => {
  await app.register(usersRoutes)
  await app.register(accountRequestsRoutes)
  await app.register(totpResetRoutes)
}

export default accounts
