import type { FastifyPluginAsync } from 'fastify'
import householdList from './household-list-routes.js'
import changeRequests from './change-request-routes.js'
import householdHistory from './household-history-routes.js'
import importBatches from '../reports/import-batches.js'

export interface RegistryOptions {
  /** NOTICE_DAYS: the length of public notice (公示) steps in days (default 7; 0 passes them at once). */
  noticeDays?: number
}

/**
 * The registry workflow (issue 16): the household list, change requests and their review, history and assistance
 * plans. Changes reach the registry only through requests, applied by the database when their chain's last step
 * approves (migration 0012). What each route takes and answers: server/registry/README.md.
 */
const registry: FastifyPluginAsync<RegistryOptions> = async (app, opts) => {
  const noticeDays = opts.noticeDays ?? 7
  await app.register(householdList)
  await app.register(changeRequests, { noticeDays })
  await app.register(householdHistory, { noticeDays })
  // Review of import batches (issue 19): the same workflow, so the same NOTICE_DAYS.
  await app.register(importBatches, { noticeDays })
}

export default registry
