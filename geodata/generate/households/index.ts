/**
 * The 建档立卡 registry: poverty villages, poor households, their members and their status per year.
 *
 * - `selectPovertyVillages` designates ≈6,900 poverty villages (scaled to the number of rural villages
 *   given), about three quarters inside the designated poverty counties, chosen with weights that grow
 *   with slope, distance to paved road, county seat, school and clinic.
 * - `planHouseholds` models every village's full registry (≈6 million poor people in 2014, ≈1.7 million
 *   households province-wide in 2014; 十八洞村 136 households) and how many of them become rows: all
 *   of them at 'province' scale, a sample of ≈50,000 at 'demo' scale (十八洞村 whole, 花垣县 and
 *   湘西 well covered, a few in the non-poverty villages of poverty counties).
 * - `householdBatches` yields one batch per village (households, household_year, members), so the
 *   province registry can be streamed; `generateHouseholds` collects them for the demo.
 *
 * Consistency that tests check: each poverty cause has its evidence in the household (因病 → a member
 * with a chronic or serious illness, 因残 → a disabled member, 因学 → a member in school, 缺劳力 → at
 * most one able labourer and an old or incapacitated member, 缺水 → water difficulty, 交通条件落后 → no
 * paved road to the home, 因灾 → a village at risk, 缺土地 → under 0.8 mu of farmland per person);
 * status sequences are legal (poor from registration, lifted later, returned only after lifted);
 * income is below the year's line exactly when poor or returned; 两不愁三保障 all hold once lifted.
 */
export { generateHouseholds, householdBatches, summarizeHouseholds, type GeneratedHouseholds } from './batches.js'
export type { HouseholdBatch, HouseholdContext, HouseholdEvent } from './batch.js'
export { causeHasEvidence, type CauseEvidence } from './causes.js'
export {
  COOKING_FUELS,
  DEMO_HOUSEHOLDS,
  ETHNICITIES,
  HUAYUAN,
  HUNAN_POOR_PEOPLE_2014,
  HUNAN_POVERTY_VILLAGES,
  HUNAN_RURAL_VILLAGES,
  IN_SCHOOL_STAGES,
  MEMBER_RELATIONS,
  SCHOOLING_LEVELS,
  SHIBADONG,
  XIANGXI,
} from './codes.js'
export { gb11643CheckDigit, IdNumberAllocator, isValidIdNumber } from './id-numbers.js'
export { planHouseholds, type HouseholdPlanOptions, type VillagePlan } from './plan.js'
export { hardship, selectPovertyVillages, type PovertySelection, type PovertyVillageOptions } from './poverty-villages.js'
export { HouseholdSummarizer, registryStats, type HouseholdSummary, type VillageHouseholdSummary } from './summary.js'
