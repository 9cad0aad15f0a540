/**
 * Poverty-alleviation projects over their life cycle, derived from what the other generators built
 * so that the map, the indicators and the registry tell one story:
 *
 * - road: every village road paved 2015–2020 (roads.ts) is a project of that year whose line follows
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
import type { LineString, Position } from 'geojson'
import { LAST_YEAR } from '../../domain/codes.js'
import { AdminLookup, shortAreaName } from './admin-lookup.js'
import type { Facilities } from './facilities.js'
import type { HouseholdSummary } from './households/index.js'
import { yearIndex, type Environment } from './indicators.js'
import type { Rng } from './rng.js'
import { PAVED_BEFORE_REGISTRY, type RoadNetwork } from './roads.js'
import { lonLatOf, pointGeom, randomPointNear, type LonLat } from './spatial-index.js'
import type { AdminAreaRow, ProjectRow, Scale } from './types.js'

export interface ProjectInput {
  areas: readonly AdminAreaRow[]
  env: Environment
  roads: RoadNetwork
  facilities: Facilities
  summary: HouseholdSummary
  povertyVillages: ReadonlySet<string>
  scale: Scale
}

const INDUSTRIES_MOUNTAIN = ['猕猴桃', '油茶', '茶叶', '中药材', '黄牛养殖', '蜜蜂养殖', '乡村旅游', '椪柑', '黄桃', '烤烟']
const INDUSTRIES_PLAIN = ['蔬菜', '生猪养殖', '水产养殖', '优质稻', '柑橘', '光伏扶贫', '农产品加工', '乡村旅游']

type Stage = ProjectRow['stage']

/** Stage of a project begun in `year` as of the end of 2020. */
function stageFor(year: number, rng: Rng): Stage {
  if (year <= 2016) return rng.weighted(['evaluated', 'completed'] as const, [70, 30])
  if (year === 2017) return rng.weighted(['evaluated', 'completed'] as const, [50, 50])
  if (year === 2018) return rng.weighted(['evaluated', 'completed', 'construction'] as const, [25, 68, 7])
  if (year === 2019) return rng.weighted(['evaluated', 'completed', 'construction', 'approved'] as const, [5, 60, 30, 5])
  return rng.weighted(['completed', 'construction', 'approved', 'plan'] as const, [30, 40, 20, 10])
}

/** Built infrastructure the indicators count from `year` on. */
function builtStage(year: number, rng: Rng): Stage {
  return year <= 2018 && rng.chance(year <= 2016 ? 0.7 : 0.4) ? 'evaluated' : 'completed'
}

function spentFor(stage: Stage, budget: number, rng: Rng): number {
  const f =
    stage === 'plan'
      ? 0
      : stage === 'approved'
        ? rng.range(0, 0.1)
        : stage === 'construction'
          ? rng.range(0.2, 0.9)
          : stage === 'completed'
            ? rng.chance(0.03) ? rng.range(1, 1.06) : rng.range(0.95, 1)
            : rng.chance(0.02) ? rng.range(1, 1.04) : rng.range(0.97, 1)
  return Math.round(budget * f)
}

/** The village road's rows joined into one line from the village seat to the township seat. */
function villageRoadLine(net: RoadNetwork, ids: readonly number[]): LineString | null {
  const byId = new Map<number, Position[]>()
  for (const id of ids) {
    const row = net.rows[id - 1]
    if (row && row.id === id) byId.set(id, row.geom.coordinates)
  }
  const coords: Position[] = []
  for (const id of ids) {
    const c = byId.get(id)
    if (!c) continue
    for (const p of c) {
      const last = coords[coords.length - 1]
      if (!last || last[0] !== p[0] || last[1] !== p[1]) coords.push(p)
    }
  }
  return coords.length >= 2 ? { type: 'LineString', coordinates: coords } : null
}

function lineKm(line: LineString): number {
  let km = 0
  const c = line.coordinates
  for (let i = 1; i < c.length; i++) {
    const a = c[i - 1]!
    const b = c[i]!
    const cosLat = Math.cos((((a[1]! + b[1]!) / 2) * Math.PI) / 180)
    km += Math.hypot((b[0]! - a[0]!) * cosLat * 111.32, (b[1]! - a[1]!) * 110.574)
  }
  return km
}

export function generateProjects(input: ProjectInput, rng: Rng): ProjectRow[] {
  const { env, roads, facilities, summary, povertyVillages } = input
  const lookup = new AdminLookup(input.areas)
  const demo = input.scale === 'demo'
  const rows: ProjectRow[] = []
  const countyOf = (code: string) => lookup.countyOf(code)?.row.code ?? code.slice(0, 6)
  const householdsIn = (village: string, year = LAST_YEAR) => summary.villages.get(village)?.registered[yearIndex(year)] ?? 0
  const villagesUnder = (code: string): string[] => {
    const a = lookup.get(code)
    if (!a) return []
    if (a.row.level === 'village') return [code]
    return a.children.flatMap((c) => villagesUnder(c.row.code))
  }
  const add = (p: Omit<ProjectRow, 'id' | 'spent_yuan' | 'budget_yuan'> & { budget: number }, r: Rng) => {
    const budget = Math.round(p.budget / 100) * 100
    const { budget: _b, ...rest } = p
    rows.push({ id: rows.length + 1, ...rest, budget_yuan: budget, spent_yuan: spentFor(p.stage, budget, r) })
  }

  // --- roads ----------------------------------------------------------------------------------------
  const roadRng = rng.fork('road')
  for (const [code, year] of [...roads.villageHardenedYear].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (year <= PAVED_BEFORE_REGISTRY || year > LAST_YEAR) continue
    const line = villageRoadLine(roads, roads.villageRoadIds.get(code) ?? [])
    const v = lookup.get(code)
    if (!line || !v) continue
    const km = lineKm(line)
    add(
      {
        type: 'road',
        name: `${shortAreaName(v.row.name)}通村公路硬化工程`,
        stage: builtStage(year, roadRng),
        year,
        budget: km * roadRng.range(450_000, 900_000),
        county_code: countyOf(code),
        village_code: code,
        beneficiary_households: householdsIn(code, year),
        beneficiary_villages: 1,
        geom: line,
      },
      roadRng,
    )
  }
  // Upgrades of township and county roads in poverty counties.
  const nodeArea = new Map<number, string>()
  for (const [code, node] of roads.seatNode) {
    const level = lookup.get(code)?.row.level
    if ((level === 'township' || level === 'county') && !nodeArea.has(node)) nodeArea.set(node, code)
  }
  const pc = lookup.counties.filter((c) => c.row.poverty_designated).map((c) => c.row.code)
  const upgradesByCounty = new Map<string, ProjectRow['geom'][]>()
  const candidates = roads.rows.filter((r) => (r.class === 'township' || r.class === 'county') && nodeArea.has(r.source_node) && nodeArea.has(r.target_node))
  for (const r of candidates) {
    const a = nodeArea.get(r.source_node)!
    const county = countyOf(a)
    if (!pc.includes(county)) continue
    const list = upgradesByCounty.get(county) ?? []
    if (list.length >= 3 || !roadRng.chance(demo ? 0.25 : 0.5)) continue
    list.push(r.geom)
    upgradesByCounty.set(county, list)
    const b = nodeArea.get(r.target_node)!
    const villages = [...new Set([...villagesUnder(a), ...villagesUnder(b)])]
    const year = roadRng.weighted([2016, 2017, 2018, 2019, 2020], [10, 15, 20, 25, 30])
    add(
      {
        type: 'road',
        name: `${r.name ?? ''}${lookup.get(a)!.row.name}至${lookup.get(b)!.row.name}公路提质改造工程`,
        stage: stageFor(year, roadRng),
        year,
        budget: (r.length_m / 1000) * roadRng.range(1_500_000, 3_000_000),
        county_code: county,
        village_code: null,
        beneficiary_households: villages.reduce((s, v) => s + householdsIn(v, year), 0),
        beneficiary_villages: villages.length,
        geom: r.geom,
      },
      roadRng,
    )
  }

  // --- water ----------------------------------------------------------------------------------------
  const waterRng = rng.fork('water')
  const newWorksVillages = new Set<string>()
  for (const w of facilities.supplyWorks) {
    const year = facilities.supplyWorksYear.get(w.id) ?? PAVED_BEFORE_REGISTRY
    if (year <= PAVED_BEFORE_REGISTRY || year > LAST_YEAR || !w.area_code || w.geom.type !== 'Point') continue
    const area = lookup.get(w.area_code)
    if (!area) continue
    const villages = villagesUnder(w.area_code)
    if (area.row.level === 'village') newWorksVillages.add(w.area_code)
    add(
      {
        type: 'water',
        name: w.name ?? `${area.row.name}供水工程`,
        stage: builtStage(year, waterRng),
        year,
        budget: (w.capacity ?? 100) * waterRng.range(2500, 5000),
        county_code: countyOf(w.area_code),
        village_code: area.row.level === 'village' ? w.area_code : null,
        beneficiary_households: villages.reduce((s, v) => s + householdsIn(v, year), 0),
        beneficiary_villages: villages.length,
        geom: w.geom,
      },
      waterRng,
    )
  }
  // Household connections (饮水安全巩固提升) where no new works was built: one project per village.
  const byVillage = (kind: 'water' | 'housing' | 'relocation') => {
    const m = new Map<string, { years: Map<number, number>; households: number; lon: number; lat: number }>()
    for (const e of summary.events) {
      if (e.kind !== kind) continue
      const x = m.get(e.village_code) ?? { years: new Map(), households: 0, lon: 0, lat: 0 }
      x.years.set(e.year, (x.years.get(e.year) ?? 0) + e.households)
      x.households += e.households
      x.lon += e.lonSum
      x.lat += e.latSum
      m.set(e.village_code, x)
    }
    return [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1))
  }
  const modalYear = (years: Map<number, number>) => [...years].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0]
  /**
   * Household-level work bundled into projects: one per village at 'province' scale, one per
   * township at 'demo' scale (keeps the demo's project list to a few thousand), placed at the
   * households' mean position or the seat of the village with most of them.
   */
  const bundles = (kind: 'water' | 'housing', skip: (code: string) => boolean) => {
    const out: { key: string; village: string | null; villages: string[]; years: Map<number, number>; households: number; at: LonLat }[] = []
    const groups = new Map<string, [string, { years: Map<number, number>; households: number; lon: number; lat: number }][]>()
    for (const entry of byVillage(kind)) {
      const [code] = entry
      if (skip(code) || !env.villages.get(code)) continue
      const key = demo ? (env.villages.get(code)!.townshipCode ?? code) : code
      groups.set(key, [...(groups.get(key) ?? []), entry])
    }
    for (const [key, list] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const years = new Map<number, number>()
      for (const [, x] of list) for (const [y, n] of x.years) years.set(y, (years.get(y) ?? 0) + n)
      const households = list.reduce((s, [, x]) => s + x.households, 0)
      const top = [...list].sort((a, b) => b[1].households - a[1].households || (a[0] < b[0] ? -1 : 1))[0]!
      const at: LonLat = list.length === 1 ? [top[1].lon / top[1].households, top[1].lat / top[1].households] : env.villages.get(top[0])!.seat
      out.push({ key, village: list.length === 1 && !demo ? top[0] : null, villages: list.map(([c]) => c), years, households, at })
    }
    return out
  }
  const onlyPovertyInDemo = (code: string) => demo && !povertyVillages.has(code)
  for (const b of bundles('water', (code) => newWorksVillages.has(code) || onlyPovertyInDemo(code))) {
    const year = modalYear(b.years)
    const name = b.village ? shortAreaName(lookup.get(b.village)!.row.name) : lookup.get(b.key)?.row.name ?? ''
    const home = lookup.get(b.village ?? b.villages[0]!)!
    add(
      {
        type: 'water',
        name: `${name}农村饮水安全巩固提升工程`,
        stage: builtStage(year, waterRng),
        year,
        budget: 80_000 * b.villages.length + b.households * waterRng.range(3000, 8000),
        county_code: countyOf(b.villages[0]!),
        village_code: b.village,
        beneficiary_households: b.households,
        beneficiary_villages: b.villages.length,
        geom: pointGeom(b.village ? randomPointNear(env.villages.get(b.village)!.seat, 0.3, home.row.geom, waterRng) : b.at),
      },
      waterRng,
    )
  }

  // --- housing (危房改造) ------------------------------------------------------------------------------
  const housingRng = rng.fork('housing')
  for (const b of bundles('housing', onlyPovertyInDemo)) {
    const year = modalYear(b.years)
    const name = b.village ? shortAreaName(lookup.get(b.village)!.row.name) : lookup.get(b.key)?.row.name ?? ''
    add(
      {
        type: 'housing',
        name: `${name}农村危房改造项目`,
        stage: builtStage(year, housingRng),
        year,
        budget: b.households * housingRng.range(15_000, 35_000),
        county_code: countyOf(b.villages[0]!),
        village_code: b.village,
        beneficiary_households: b.households,
        beneficiary_villages: b.villages.length,
        geom: pointGeom(b.at),
      },
      housingRng,
    )
  }

  // --- relocation sites (易地扶贫搬迁安置点), one per township ------------------------------------------
  const relocRng = rng.fork('relocation')
  const byTownship = new Map<string, { years: Map<number, number>; households: number; villages: Set<string> }>()
  for (const [code, x] of byVillage('relocation')) {
    const t = env.villages.get(code)?.townshipCode
    if (!t) continue
    const agg = byTownship.get(t) ?? { years: new Map(), households: 0, villages: new Set() }
    for (const [y, n] of x.years) agg.years.set(y, (agg.years.get(y) ?? 0) + n)
    agg.households += x.households
    agg.villages.add(code)
    byTownship.set(t, agg)
  }
  for (const [t, agg] of [...byTownship].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const township = lookup.get(t)
    if (!township?.row.seat) continue
    const year = modalYear(agg.years)
    add(
      {
        type: 'relocation',
        name: `${township.row.name}易地扶贫搬迁安置点`,
        stage: builtStage(year, relocRng),
        year,
        budget: agg.households * 3.5 * relocRng.range(55_000, 65_000),
        county_code: countyOf(t),
        village_code: null,
        beneficiary_households: agg.households,
        beneficiary_villages: agg.villages.size,
        geom: pointGeom(randomPointNear(lonLatOf(township.row.seat), 1.2, township.row.geom, relocRng)),
      },
      relocRng,
    )
  }

  // --- industry ---------------------------------------------------------------------------------------
  const industryRng = rng.fork('industry')
  for (const code of [...povertyVillages].sort()) {
    const v = env.villages.get(code)
    const area = lookup.get(code)
    if (!v || !area) continue
    const n = demo ? (industryRng.chance(0.2) ? 1 : 0) : industryRng.weighted([1, 2, 3], [50, 35, 15])
    const households = householdsIn(code)
    const list = v.steepness > 0.5 ? INDUSTRIES_MOUNTAIN : INDUSTRIES_PLAIN
    const used = new Set<string>()
    for (let i = 0; i < n; i++) {
      const industry = code === '433124110226' && i === 0 ? '猕猴桃' : industryRng.pick(list)
      if (used.has(industry)) continue
      used.add(industry)
      const year = industryRng.weighted([2015, 2016, 2017, 2018, 2019, 2020], [10, 18, 22, 22, 18, 10])
      add(
        {
          type: 'industry',
          name: `${shortAreaName(area.row.name)}${industry}产业扶贫项目`,
          stage: stageFor(year, industryRng),
          year,
          budget: industryRng.range(200_000, 2_000_000),
          county_code: countyOf(code),
          village_code: code,
          beneficiary_households: Math.round(households * industryRng.range(0.3, 0.9)),
          beneficiary_villages: 1,
          geom: pointGeom(randomPointNear(v.seat, 0.8, area.row.geom, industryRng)),
        },
        industryRng,
      )
    }
  }

  // --- education (at schools) and health (at clinics) in poverty areas ------------------------------
  const pcSet = new Set(pc)
  const inPovertyArea = (code: string) => povertyVillages.has(code) || (lookup.get(code)?.row.level === 'township' && pcSet.has(countyOf(code)))
  const eduRng = rng.fork('education')
  for (const s of facilities.school) {
    if (s.level === 'county_middle' || !inPovertyArea(s.area_code)) continue
    if (!eduRng.chance(s.level === 'township_central' ? (demo ? 0.25 : 0.6) : demo ? 0.1 : 0.4)) continue
    const villages = villagesUnder(s.area_code)
    const year = eduRng.weighted([2015, 2016, 2017, 2018, 2019, 2020], [15, 25, 25, 18, 12, 5])
    add(
      {
        type: 'education',
        name: `${s.name}改善办学条件项目`,
        stage: stageFor(year, eduRng),
        year,
        budget: s.level === 'township_central' ? eduRng.range(800_000, 5_000_000) : eduRng.range(100_000, 800_000),
        county_code: countyOf(s.area_code),
        village_code: lookup.get(s.area_code)?.row.level === 'village' ? s.area_code : null,
        beneficiary_households: villages.reduce((sum, v) => sum + (summary.villages.get(v)?.withPupils ?? 0), 0),
        beneficiary_villages: villages.length,
        geom: s.geom,
      },
      eduRng,
    )
  }
  const healthRng = rng.fork('health')
  for (const c of facilities.clinic) {
    if (c.level === 'county_hospital' || !inPovertyArea(c.area_code)) continue
    if (!healthRng.chance(c.level === 'township_health_centre' ? (demo ? 0.2 : 0.5) : demo ? 0.1 : 0.5)) continue
    const villages = villagesUnder(c.area_code)
    const year = healthRng.weighted([2015, 2016, 2017, 2018, 2019, 2020], [8, 20, 25, 22, 17, 8])
    add(
      {
        type: 'health',
        name: c.level === 'village_clinic' ? `${c.name}标准化建设项目` : `${c.name}改扩建工程`,
        stage: stageFor(year, healthRng),
        year,
        budget: c.level === 'village_clinic' ? healthRng.range(80_000, 250_000) : healthRng.range(1_000_000, 6_000_000),
        county_code: countyOf(c.area_code),
        village_code: lookup.get(c.area_code)?.row.level === 'village' ? c.area_code : null,
        beneficiary_households: villages.reduce((sum, v) => sum + householdsIn(v, year), 0),
        beneficiary_villages: villages.length,
        geom: c.geom,
      },
      healthRng,
    )
  }
  return rows
}

