import { FIRST_YEAR, LAST_YEAR, POVERTY_LINE, type PovertyCause } from '../../../domain/codes.js'
import type { HouseholdIds } from '../household-ids.js'
import { smoothstep, type VillageEnv } from '../indicators.js'
import type { Rng } from '../rng.js'
import { pointGeom, randomPointNear, type LonLat } from '../spatial-index.js'
import type { AdminAreaRow, HouseholdRow, HouseholdYearRow } from '../types.js'
import type { HouseholdBatch, HouseholdContext, HouseholdEvent } from './batch.js'
import { CAUSE_WEIGHTS, CAUSES, causeHasEvidence, type CauseEvidence } from './causes.js'
import { COOKING_FUELS, SHIBADONG } from './codes.js'
import { daysInMonth, type IdNumberAllocator } from './id-numbers.js'
import { ageAt, householdMembers, inSchoolProper } from './members.js'
import { ethnicityOf, givenName } from './names.js'
import type { VillagePlan } from './plan.js'

export class VillageHouseholdGenerator {
  constructor(
    private readonly ids: { member: number },
    private readonly householdIds: HouseholdIds,
    private readonly idNumbers: IdNumberAllocator,
  ) {}

  household(env: VillageEnv, plan: VillagePlan, geomOf: (code: string) => AdminAreaRow | undefined, ctx: HouseholdContext, hamlets: LonLat[], rng: Rng, batch: HouseholdBatch): void {
    // Non-sequential: the id is the tile feature id (see household-ids.ts).
    const id = this.householdIds.next()
    const village = geomOf(env.code)!
    const county = plan.countyCode
    // 十八洞村's 136 poor households were all identified in 2014.
    const registeredYear = plan.code === SHIBADONG ? FIRST_YEAR : rng.weighted([2014, 2015, 2016], [92, 5, 3])
    const refYear = registeredYear

    // Location: clustered round the village seat or one of its hamlets (自然村).
    const center = rng.chance(0.55) || hamlets.length === 0 ? env.seat : rng.pick(hamlets)
    const pos = randomPointNear(center, 0.25 + 0.4 * env.steepness, village.geom, rng)

    // Environment at the home.
    const roadKm = ctx.env.roadDistanceKm(pos, registeredYear)
    const villageUnpaved = env.roadHardenedYear > registeredYear
    const roadHardened = villageUnpaved ? rng.chance(0.05) : !rng.chance(0.04 + 0.6 * smoothstep(roadKm, 0.4, 3))
    const works = ctx.env.nearestWaterWorks(pos, registeredYear)
    const worksKm = works?.km ?? 30
    const waterDifficulty = rng.chance(Math.min(0.9, 0.04 + 0.45 * smoothstep(worksKm, 2, 12) + 0.2 * smoothstep(env.steepness, 0.5, 0.95)))
    const disasterRisk = env.disasterRisk

    // Main cause, weighted by the environment among those the environment allows.
    const w = CAUSES.map((c) => {
      const base = CAUSE_WEIGHTS[c]
      switch (c) {
        case 'water':
          return waterDifficulty ? base * 6 : 0
        case 'transport':
          return roadHardened ? 0 : base * (3 + 6 * smoothstep(roadKm, 0.5, 4))
        case 'disaster':
          return disasterRisk >= 0.25 ? base * (1 + 6 * disasterRisk) : 0
        case 'land':
          return base * (1 + 2 * env.steepness)
        default:
          return base
      }
    })
    const mainCause = rng.weighted(CAUSES, w)

    // Members.
    const ethnicity = ethnicityOf(county, rng)
    const members = householdMembers(mainCause, ethnicity, county, refYear, rng)
    // Land (mu): paddy on flatter ground, forest on steeper ground.
    const flat = 1 - env.steepness
    let paddy = Math.max(0, rng.normal(0.9 * flat + 0.2, 0.3)) * members.length
    let dry = Math.max(0, rng.normal(0.5, 0.25)) * members.length
    const forest = Math.max(0, rng.normal(2 + 10 * (1 - flat), 2)) * (0.5 + 0.5 * members.length)
    if (mainCause === 'land') {
      const scale = (rng.range(0.2, 0.7) * members.length) / Math.max(0.01, paddy + dry)
      paddy *= scale
      dry *= scale
    }
    const landPerPerson = (paddy + dry) / members.length

    // Other causes: evidence first (illness, disability), then others the household allows.
    const evidence: CauseEvidence = {
      members: members.map((m) => ({ health: m.health, labour: m.labour, in_school: m.inSchool, birth_year: m.birthYear })),
      registeredYear,
      waterDifficulty,
      roadHardened,
      disasterRisk,
      landPerPersonMu: landPerPerson,
    }
    const others: PovertyCause[] = []
    const hasSerious = members.some((m) => m.health === 'serious' || m.health === 'chronic')
    if (mainCause !== 'illness' && hasSerious && rng.chance(0.85)) others.push('illness')
    if (mainCause !== 'disability' && members.some((m) => m.health === 'disabled') && rng.chance(0.8)) others.push('disability')
    const extra = rng.weighted([0, 1, 2], [35, 40, 25])
    for (let i = 0; others.length < 2 && i < extra; i++) {
      const pool = CAUSES.filter((c) => c !== mainCause && c !== 'other' && !others.includes(c) && causeHasEvidence(c, evidence))
      if (pool.length === 0) break
      others.push(rng.weighted(pool, pool.map((c) => w[CAUSES.indexOf(c)]! + 0.01)))
    }

    // Attribute and 低保/五保.
    const adults = members.filter((m) => ageAt(m, refYear) >= 16)
    const noChildren = members.every((m) => m.relation === 'head' || m.relation === 'spouse')
    const frail = members.some((m) => m.health === 'serious' || m.health === 'disabled') || mainCause === 'labour'
    let attribute: HouseholdRow['attribute'] = 'general'
    if (members.length <= 2 && noChildren && adults.every((m) => ageAt(m, refYear) >= 60 || m.health === 'disabled') && rng.chance(0.5)) attribute = 'wubao'
    else if (frail && rng.chance(0.45)) attribute = 'dibao_poor'
    else if (rng.chance(0.04)) attribute = 'dibao'

    // Housing.
    const steep = smoothstep(env.steepness, 0.4, 0.95)
    const structure = rng.weighted(['reinforced_concrete', 'brick_concrete', 'brick_wood', 'earth_bamboo', 'other'] as const, [5, 35 - 15 * steep, 35, 15 + 20 * steep, 5])
    const safetyWeights: Record<typeof structure, number[]> = {
      reinforced_concrete: [80, 20, 0, 0],
      brick_concrete: [25, 60, 13, 2],
      brick_wood: [5, 55, 28, 12],
      earth_bamboo: [0, 30, 40, 30],
      other: [10, 50, 30, 10],
    }
    const safety = rng.weighted(['A', 'B', 'C', 'D'] as const, safetyWeights[structure])
    const unsafe = safety === 'C' || safety === 'D'
    const relocated = rng.chance(Math.min(0.6, 0.01 + 0.3 * smoothstep(env.steepness, 0.7, 0.98) * (0.5 + disasterRisk) + (unsafe ? 0.05 : 0) + (villageUnpaved ? 0.08 : 0)))

    // Years: lifted, returned, and when each gap closed.
    let lift = rng.weighted([2015, 2016, 2017, 2018, 2019, 2020], plan.poverty ? [8, 15, 21, 24, 23, 9] : [14, 21, 24, 21, 15, 5])
    if ((mainCause === 'illness' || mainCause === 'disability' || mainCause === 'labour') && rng.chance(0.3)) lift++
    const relocationYear = relocated ? Math.max(registeredYear + 1, rng.weighted([2016, 2017, 2018, 2019], [25, 35, 30, 10])) : null
    if (relocationYear) lift = Math.max(lift, relocationYear)
    lift = Math.max(lift, registeredYear + 1)
    if (lift > LAST_YEAR) lift = LAST_YEAR
    if (rng.chance(0.002)) lift = LAST_YEAR + 1 // a handful still poor at the end of 2020
    let returnFrom = 0
    let returnTo = 0
    if (lift <= 2018 && rng.chance(0.03)) {
      returnFrom = lift + rng.int(1, 2)
      returnTo = Math.min(LAST_YEAR - 1, returnFrom + rng.int(0, 1))
      if (returnFrom > returnTo) returnFrom = returnTo = 0
    }
    const closeBy = Math.min(lift, LAST_YEAR)
    const fixYear = (p: number) => (rng.chance(p) ? rng.int(registeredYear + 1, Math.max(registeredYear + 1, closeBy)) : 0)
    const housingFix = unsafe ? (relocationYear ?? rng.int(Math.max(2015, registeredYear + 1), Math.max(2015, registeredYear + 1, closeBy))) : 0
    let waterFix = 0
    if (waterDifficulty) {
      // Connected when a supply works opened nearby, else by a household or village project.
      const later = ctx.env.nearestWaterWorks(pos, closeBy)
      waterFix = later && later.year > registeredYear && later.km < 8 ? later.year : rng.int(registeredYear + 1, Math.max(registeredYear + 1, closeBy))
      if (relocationYear) waterFix = Math.min(waterFix, relocationYear)
    }
    const school = members.some((m) => ageAt(m, refYear) >= 6 && ageAt(m, refYear) < 16)
    const educationFix = school ? fixYear(mainCause === 'schooling' ? 0.5 : 0.12) : 0
    const medicalFix = hasSerious ? fixYear(mainCause === 'illness' ? 0.5 : 0.25) : 0
    const r0 = rng.range(0.45, 0.93)
    const foodFix = fixYear(r0 < 0.6 ? 0.35 : 0.05)

    for (let y = registeredYear; y <= LAST_YEAR; y++) {
      const line = POVERTY_LINE[y]!
      const returned = returnFrom > 0 && y >= returnFrom && y <= returnTo
      const status: HouseholdYearRow['status'] = y < lift ? 'poor' : returned ? 'returned' : 'lifted'
      let income: number
      if (status === 'poor') income = line * Math.min(0.97, r0 + 0.04 * (y - registeredYear) + rng.range(-0.03, 0.03))
      else if (status === 'returned') income = line * rng.range(0.6, 0.95)
      else income = line * (1.08 + 0.1 * (y - lift) + rng.range(0, 0.6))
      income = Math.floor(income)
      if (status !== 'lifted' && income >= line) income = line - 1
      const open = (fix: number) => status === 'poor' && fix > 0 && y < fix
      batch.household_year.push({
        household_id: id,
        year: y,
        status,
        income_per_capita: income,
        food_clothing_ok: !open(foodFix),
        education_ok: !open(educationFix),
        medical_ok: !(open(medicalFix) || (returned && y === returnFrom && hasSerious)),
        housing_ok: status === 'lifted' || !(unsafe && y < housingFix),
        water_ok: status === 'lifted' || !(waterDifficulty && y < waterFix),
      })
    }

    const addEvent = (kind: HouseholdEvent['kind'], year: number) => {
      if (year < FIRST_YEAR || year > LAST_YEAR) return
      let e = batch.events.find((x) => x.kind === kind && x.year === year)
      if (!e) batch.events.push((e = { village_code: env.code, kind, year, households: 0, lonSum: 0, latSum: 0 }))
      e.households++
      e.lonSum += pos[0]
      e.latSum += pos[1]
    }
    if (relocationYear) addEvent('relocation', relocationYear)
    else if (unsafe && housingFix) addEvent('housing', housingFix)
    if (waterDifficulty && waterFix) addEvent('water', waterFix)

    const fuel = rng.weighted([...COOKING_FUELS], [30 + 40 * steep, 10, 25, 2, 20, 5 + 5 * steep])
    const waterSource: HouseholdRow['water_source'] = waterDifficulty
      ? rng.weighted(['unprotected_well', 'river_lake', 'rainwater', 'protected_well'] as const, [45, 25, 15, 15])
      : worksKm < 4 && rng.chance(0.8)
        ? 'tap'
        : rng.weighted(['protected_well', 'tap', 'bottled'] as const, [70, 28, 2])
    const old = members.every((m) => ageAt(m, refYear) >= 65)
    batch.household.push({
      id,
      village_code: env.code,
      geom: pointGeom(pos),
      size: members.length,
      identification_standard: rng.chance(0.95) ? 'national' : 'provincial',
      attribute,
      main_cause: mainCause,
      other_causes: others,
      phone: old && rng.chance(0.5) ? null : `1${rng.pick(['3', '5', '8'])}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`,
      registered_year: registeredYear,
      housing_area_m2: Math.round(members.length * rng.range(15, 32) + rng.range(10, 40)),
      housing_structure: structure,
      housing_safety: safety,
      relocated,
      water_source: waterSource,
      water_difficulty: waterDifficulty,
      cooking_fuel: fuel,
      road_hardened: roadHardened,
      km_to_market: Math.round((env.distTownshipKm * rng.range(0.8, 1.2) + rng.range(0, 1.5)) * 10) / 10,
      land_paddy_mu: Math.round(paddy * 10) / 10,
      land_dry_mu: Math.round(dry * 10) / 10,
      land_forest_mu: Math.round(forest * 10) / 10,
    })
    // Land rounding must not break the 缺土地 evidence.
    const h = batch.household[batch.household.length - 1]!
    if (mainCause === 'land' || others.includes('land')) {
      while ((h.land_paddy_mu! + h.land_dry_mu!) / members.length >= 0.8) {
        h.land_paddy_mu = Math.max(0, Math.round((h.land_paddy_mu! - 0.1) * 10) / 10)
        h.land_dry_mu = Math.max(0, Math.round((h.land_dry_mu! - 0.1) * 10) / 10)
      }
    }

    const insured = rng.chance(0.97)
    for (const m of members) {
      const month = rng.int(1, 12)
      const day = rng.int(1, daysInMonth(m.birthYear, month))
      const age = ageAt(m, refYear)
      batch.member.push({
        id: ++this.ids.member,
        household_id: id,
        name: m.surname + givenName(m.sex, m.birthYear, rng, m.generation),
        sex: m.sex,
        id_number: this.idNumbers.next(county, m.birthYear, month, day, m.sex),
        relation: m.relation,
        ethnicity: m.ethnicity,
        birth_year: m.birthYear,
        schooling: m.schooling,
        in_school: m.inSchool,
        health: m.health,
        labour: m.labour,
        migrant_months: m.migrantMonths,
        dibao: attribute === 'dibao' || attribute === 'dibao_poor',
        wubao: attribute === 'wubao' && m.relation === 'head',
        medical_insurance: insured || rng.chance(0.5),
        pension: age >= 16 && !inSchoolProper(m) && rng.chance(age >= 60 ? 0.92 : 0.75),
      })
    }
  }
}
