/**
 * The whole synthetic dataset from a scale and a seed, in a fixed order; each generator draws from
 * its own stream `createRng(seed).fork('<name>')`, so changing one leaves the others' numbers alone.
 *
 *   terrain → water → partition (admin areas) → roads → facilities (schools, clinics, supply works)
 *   → environment (per-village measurements) → poverty villages → household plan → households
 *   → projects → indicator values
 *
 * Scales:
 * - 'demo': 湘西's whole registry and a sample elsewhere (households/plan.ts), in the arrays;
 *   indicator values for every year in poverty villages and 湘西, 2014 and 2020 elsewhere.
 * - 'province': the full registry (≈1.7 million households, ≈6.5 million members, ≈12 million
 *   household_year rows) does not fit in arrays comfortably: `household`, `household_year` and
 *   `member` are empty and the loader streams `householdBatches()` (one batch per village). Projects
 *   and indicators need the registry's totals, so a first pass through the same batches summarises
 *   them without keeping them (the batches are regenerated identically on each call).
 */
import { generateFacilities } from './facilities.js'
import { generateHouseholds, householdBatches, planHouseholds, registryStats, selectPovertyVillages, summarizeHouseholds, XIANGXI, type HouseholdBatch, type HouseholdSummary } from './households/index.js'
import { computeEnvironment, generateIndicatorValues, INDICATOR_DEFS, YEARS, type VillageEnv } from './indicators.js'
import { partitionAdmin, readSources } from './partition/index.js'
import { generateProjects } from './projects/index.js'
import { createRng } from './rng.js'
import { buildRoadNetwork } from './roads/index.js'
import { generateTerrain } from './terrain/index.js'
import type { AdminAreaRow, Dataset, GenerateOptions, Terrain, WaterRow } from './types.js'
import { generateWater } from './water/index.js'
import { StepProgress, type GenerationProgress } from './steps.js'

/** Written to data_load.generator_version; bump when any generator's output changes. */
export const GENERATOR_VERSION = 'povmap-geodata/1.1.0'

/** Supply works (facilities.ts) take water ids above this, clear of the water generator's ids. */
export const SUPPLY_WORKS_ID_OFFSET = 1_000_000

/** Indicator years outside the demo's focus (poverty villages and 湘西): the start and the end. */
export const DEMO_OTHER_YEARS: readonly number[] = [YEARS[0]!, YEARS[YEARS.length - 1]!]

export interface GeneratedDataset extends Dataset {
  scale: GenerateOptions['scale']
  seed: number
  generator_version: string
  /** The DEM the data was generated on (for the terrain tiles). */
  terrain: Terrain
  /**
   * The registry one village at a time, in village-code order (a fresh, identical sequence on each
   * call). At 'demo' scale it yields exactly the rows already in `household`, `household_year` and
   * `member`; at 'province' scale those arrays are empty and this is the only source.
   */
  householdBatches: () => Generator<HouseholdBatch>
  /** Rows the batches hold in all (known from the summary pass, so counting needs no extra pass). */
  registryCounts: { household: number; household_year: number; member: number }
}

/** A generated dataset without its registry stream: what crosses threads (at 'demo' scale the arrays hold every row). */
export type GeneratedTables = Omit<GeneratedDataset, 'householdBatches'>

/** Precomputed inputs (a cached terrain or partition) to skip their generation; same seed, same result. */
export interface DatasetInputs {
  terrain?: Terrain
  areas?: AdminAreaRow[]
}

export function generateDataset(opts: GenerateOptions, inputs: DatasetInputs = {}, onProgress?: GenerationProgress): GeneratedDataset {
  const root = createRng(opts.seed)
  const demo = opts.scale === 'demo'
  const steps = new StepProgress(onProgress)
  const terrain = steps.run('terrain', () => inputs.terrain ?? generateTerrain(root.fork('terrain')))
  const water = steps.run('water', () => generateWater(terrain, root.fork('water')).rows)
  const partition = steps.run('partition', (within) => inputs.areas ?? partitionAdmin(readSources(), terrain, root.fork('partition'), within))
  const roads = steps.run('roads', () => buildRoadNetwork(partition, terrain, root.fork('roads')))
  const waterIdOffset = water.reduce((m: number, w: WaterRow) => Math.max(m, w.id), SUPPLY_WORKS_ID_OFFSET)
  const facilities = steps.run('facilities', () => generateFacilities(partition, terrain, root.fork('facilities'), { waterIdOffset }))
  const env = steps.run('environment', () => computeEnvironment({ areas: partition, terrain, roads, facilities, water }, root.fork('environment')))
  const { areas, povertyVillages, plans, ctx, registry, summary } = steps.run('households', (within) => {
    const { areas, povertyVillages } = selectPovertyVillages(partition, env, root.fork('poverty-villages'))
    const povertyCounties = new Set(areas.filter((a) => a.level === 'county' && a.poverty_designated).map((a) => a.code))
    const plans = planHouseholds(env, povertyVillages, povertyCounties, root.fork('household-plan'), { scale: opts.scale })
    const ctx = { areas, env, plans }
    const registry = demo ? generateHouseholds(ctx, root.fork('households'), within) : null
    const summary = registry ? registry.summary : summarizeHouseholds(ctx, root.fork('households'), within)
    return { areas, povertyVillages, plans, ctx, registry, summary }
  })
  const batches = () => householdBatches(ctx, root.fork('households'))
  const project = steps.run('projects', () => generateProjects({ areas, env, roads, facilities, summary, povertyVillages, scale: opts.scale }, root.fork('projects')))
  const focus = (v: VillageEnv) => povertyVillages.has(v.code) || v.code.startsWith(XIANGXI)
  const indicator_value = steps.run('indicators', () =>
    generateIndicatorValues(env, registryStats(plans, summary), demo ? { yearsFor: (v) => (focus(v) ? YEARS : DEMO_OTHER_YEARS) } : {}),
  )

  return {
    scale: opts.scale,
    seed: opts.seed,
    generator_version: GENERATOR_VERSION,
    terrain,
    admin_area: areas,
    indicator_def: [...INDICATOR_DEFS],
    indicator_value,
    road: roads.rows,
    water: [...water, ...facilities.supplyWorks],
    school: facilities.school,
    clinic: facilities.clinic,
    household: registry?.household ?? [],
    household_year: registry?.household_year ?? [],
    member: registry?.member ?? [],
    project,
    householdBatches: batches,
    registryCounts: registryCounts(summary),
  }
}

function registryCounts(summary: HouseholdSummary): GeneratedDataset['registryCounts'] {
  let household = 0
  let household_year = 0
  let member = 0
  for (const v of summary.villages.values()) {
    household += v.households
    member += v.people
    household_year += v.registered.reduce((s, n) => s + n, 0)
  }
  return { household, household_year, member }
}

/** Row counts per table (the household tables from the registry summary, without streaming them). */
export function datasetCounts(d: GeneratedTables): Record<keyof Dataset, number> {
  const { household, household_year, member } = d.registryCounts
  return {
    admin_area: d.admin_area.length,
    indicator_def: d.indicator_def.length,
    indicator_value: d.indicator_value.length,
    road: d.road.length,
    water: d.water.length,
    school: d.school.length,
    clinic: d.clinic.length,
    household,
    household_year,
    member,
    project: d.project.length,
  }
}

