/**
 * Poverty-alleviation projects over their life cycle, derived from what the other generators built
 * so that the map, the indicators and the registry tell one story:
 *
 * - road: every village road paved 2015–2020 (roads/) is a project of that year whose line follows
 *   the road; a few township/county road upgrades in poverty counties, the latest still planned.
 * - water: every supply works opened 2015–2020 (facilities.ts), at the works; village drinking-water
 *   projects where registered households were connected without a new works.
 * - housing: dangerous-house renovation (危房改造) per village, at the renovated households.
 * - relocation: one resettlement site (易地扶贫搬迁安置点) per township that relocated households, near
 *   the township seat.
 * - industry (poverty villages), education (at schools), health (at clinics).
 *
 * Beneficiary counts are the household rows of the villages served (so they match the household
 * table at every scale). Infrastructure that the indicators already count as built is completed or
 * evaluated; other projects of 2019–2020 may still be under construction, approved or planned.
 */
import type { Rng } from '../rng.js'
import type { ProjectRow } from '../types.js'
import { projectContext, type ProjectInput } from './context.js'
import { housingProjects, relocationProjects } from './household-projects.js'
import { industryProjects } from './industry-projects.js'
import { roadProjects } from './road-projects.js'
import { serviceProjects } from './service-projects.js'
import { waterProjects } from './water-projects.js'

export type { ProjectInput } from './context.js'

export function generateProjects(input: ProjectInput, rng: Rng): ProjectRow[] {
  const rows: ProjectRow[] = []
  const ctx = projectContext(input, rows)
  roadProjects(ctx, rng.fork('road'))
  waterProjects(ctx, rng.fork('water'))
  housingProjects(ctx, rng.fork('housing'))
  relocationProjects(ctx, rng.fork('relocation'))
  industryProjects(ctx, rng.fork('industry'))
  serviceProjects(ctx, rng.fork('education'), rng.fork('health'))
  return rows
}
