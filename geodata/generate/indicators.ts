/**
 * The environment database: per-village quantified indicators, 2014–2020.
 *
 * `computeEnvironment` measures every village once from real geometry (terrain samples over the
 * village polygon, nearest school/clinic/water works through grid indexes, road-network distances
 * by Dijkstra, distance to the nearest road that was paved in each year) and is what the poverty
 * village choice, the households and the projects read. `generateIndicatorValues` turns it, with the
 * registry statistics from households.ts, into IndicatorValueRow rows. Values that change over time
 * follow the roads and water works built in the projects (a village road paved in 2017 changes
 * road_hardened and dist_road_km from 2017), and the households lifted out of poverty.
 */
import { FIRST_YEAR, LAST_YEAR } from '../../domain/codes.js'
import { AdminLookup, isRuralVillage, villageTerrain, type AreaNode } from './admin-lookup.js'
import type { Facilities } from './facilities.js'
import type { Rng } from './rng.js'
import { localDistances, PAVED_BEFORE_REGISTRY, roadGraph, type RoadNetwork } from './roads/index.js'
import { distanceKm, PointIndex, samplePositions, SegmentIndex, type LonLat } from './spatial-index.js'
import type { AdminAreaRow, IndicatorDefRow, IndicatorValueRow, Terrain, WaterRow } from './types.js'

export const YEARS: readonly number[] = Array.from({ length: LAST_YEAR - FIRST_YEAR + 1 }, (_, i) => FIRST_YEAR + i)
export const yearIndex = (year: number): number => Math.min(YEARS.length - 1, Math.max(0, year - FIRST_YEAR))

export function smoothstep(x: number, lo: number, hi: number): number {
  const t = Math.min(1, Math.max(0, (x - lo) / (hi - lo)))
  return t * t * (3 - 2 * t)
}

export interface VillageEnv {
  code: string
  townshipCode: string | null
  countyCode: string | null
  prefectureCode: string | null
  seat: [number, number]
  /** A rural administrative village (not an urban community). */
  rural: boolean
  ruralPopulation: number
  elevationM: number
  slopeDeg: number
  /** Rank of slopeDeg among rural villages, 0 (flattest) to 1 (steepest). */
  steepness: number
  /** 0–1: flood (low ground near a river or lake) or landslide (steep slope) risk. */
  disasterRisk: number
  floodPlain: boolean
  /** Road-network distance from the village seat to its township / county seat. */
  distTownshipKm: number
  distCountyKm: number
  distSchoolKm: number
  distClinicKm: number
  /** By year index (0 = 2014): mean distance of the village's ground to the nearest paved road. */
  distRoadKm: number[]
  /** By year index: distance from the village seat to the nearest supply works operating that year. */
  distWaterWorksKm: number[]
  roadHardenedYear: number
  broadbandYear: number
}

export interface Environment {
  villages: Map<string, VillageEnv>
  /** Distance from p to the nearest road paved in `year`. */
  roadDistanceKm(p: LonLat, year: number): number
  /** Distance from p to the nearest supply works operating in `year`, and its id. */
  nearestWaterWorks(p: LonLat, year: number): { id: number; km: number; year: number } | null
}

export interface EnvironmentInput {
  areas: readonly AdminAreaRow[]
  terrain: Terrain
  roads: RoadNetwork
  facilities: Facilities
  /** Rivers, lakes and reservoirs (the water generator's rows); supply works are taken from facilities. */
  water: readonly WaterRow[]
}

function addWaterGeometry(index: SegmentIndex<number>, w: WaterRow): void {
  const g = w.geom
  switch (g.type) {
    case 'LineString':
      index.addLine(g.coordinates, w.id)
      break
    case 'MultiLineString':
      for (const l of g.coordinates) index.addLine(l, w.id)
      break
    case 'Polygon':
      for (const r of g.coordinates) index.addLine(r, w.id)
      break
    case 'MultiPolygon':
      for (const p of g.coordinates) for (const r of p) index.addLine(r, w.id)
      break
    default:
      break
  }
}

function villagesOf(county: AreaNode): AreaNode[] {
  return county.children.flatMap((t) => (t.row.level === 'village' ? [t] : t.children.filter((v) => v.row.level === 'village')))
}

export function computeEnvironment(input: EnvironmentInput, rng: Rng): Environment {
  const { areas, terrain, roads, facilities } = input
  const lookup = new AdminLookup(areas)

  // Paved roads: those paved before 2014 in one index, the later village roads in another.
  const earlyRoads = new SegmentIndex<number>(0.02)
  const lateRoads = new SegmentIndex<number>(0.02)
  for (const r of roads.rows) {
    const y = roads.hardenedYear.get(r.id) ?? PAVED_BEFORE_REGISTRY
    ;(y <= PAVED_BEFORE_REGISTRY ? earlyRoads : lateRoads).addLine(r.geom.coordinates, y)
  }
  /** Distance to the nearest paved road in each year (index 0 = 2014). */
  const roadDistancesKm = (p: LonLat): number[] => {
    const base = earlyRoads.nearest(p)?.km ?? 50
    const out = YEARS.map(() => base)
    if (lateRoads.size > 0)
      for (const h of lateRoads.within(p, base))
        for (let i = yearIndex(h.item); i < YEARS.length; i++) if (h.km < out[i]!) out[i] = h.km
    return out
  }
  const roadDistanceKm = (p: LonLat, year: number): number => roadDistancesKm(p)[yearIndex(year)]!

  const works = new PointIndex<{ id: number; year: number }>(0.05)
  for (const w of facilities.supplyWorks) {
    if (w.geom.type !== 'Point') continue
    works.add([w.geom.coordinates[0]!, w.geom.coordinates[1]!], { id: w.id, year: facilities.supplyWorksYear.get(w.id) ?? PAVED_BEFORE_REGISTRY })
  }
  const nearestWaterWorks = (p: LonLat, year: number) => {
    const n = works.nearest(p, (w) => w.year <= year)
    return n ? { id: n.item.id, km: n.km, year: n.item.year } : null
  }

  const schools = new PointIndex<number>(0.05)
  for (const s of facilities.school) schools.add([s.geom.coordinates[0]!, s.geom.coordinates[1]!], s.id)
  const clinics = new PointIndex<number>(0.05)
  for (const c of facilities.clinic) clinics.add([c.geom.coordinates[0]!, c.geom.coordinates[1]!], c.id)

  const waterBodies = new SegmentIndex<number>(0.05)
  for (const w of input.water) if (w.kind !== 'supply_works') addWaterGeometry(waterBodies, w)

  // Road-network distances: Dijkstra from every county seat and (with a cut-off) every township seat.
  const graph = roadGraph(roads.rows, roads.nodeCount)
  const toCounty = new Map<string, number>()
  for (const c of lookup.counties) {
    const n = roads.seatNode.get(c.row.code)
    if (n === undefined) continue
    const d = localDistances(graph, n, 250)
    for (const v of villagesOf(c)) {
      const vn = roads.seatNode.get(v.row.code)
      const km = vn === undefined ? undefined : d.get(vn)
      if (km !== undefined) toCounty.set(v.row.code, km)
    }
  }
  const toTownship = new Map<string, number>()
  for (const t of lookup.townships) {
    const n = roads.seatNode.get(t.row.code)
    if (n === undefined) continue
    const d = localDistances(graph, n, 60)
    for (const v of t.children) {
      const vn = roads.seatNode.get(v.row.code)
      const km = vn === undefined ? undefined : d.get(vn)
      if (km !== undefined) toTownship.set(v.row.code, km)
    }
  }

  const terrainOf = villageTerrain(lookup.villages, terrain)
  const bbRng = rng.fork('broadband')
  const villages = new Map<string, VillageEnv>()
  for (const v of lookup.villages) {
    if (!v.seat) continue
    const seat: [number, number] = [v.seat[0], v.seat[1]]
    const township = v.parent
    const county = lookup.countyOf(v.row.code)
    const prefecture = lookup.ancestor(v.row.code, 'prefecture')
    const samples: LonLat[] = [seat, ...(v.row.geom ? samplePositions(v.row.geom, 4) : [])]
    const elevationM = samples.reduce((s, p) => s + terrain.elevation(p[0], p[1]), 0) / samples.length
    const { slopeDeg, steepness } = terrainOf.get(v.row.code) ?? { slopeDeg: 0, steepness: 0 }
    const netKm = (km: number | undefined, target: LonLat | null | undefined) => km ?? (target ? distanceKm(seat, target) * 1.4 : 0)
    const distTownshipKm = netKm(toTownship.get(v.row.code), township?.seat)
    const distCountyKm = netKm(toCounty.get(v.row.code), county?.seat)
    const perSample = samples.map(roadDistancesKm)
    const distRoadKm = YEARS.map((_, i) => perSample.reduce((s, d) => s + d[i]!, 0) / samples.length)
    const distWaterWorksKm = YEARS.map((y) => nearestWaterWorks(seat, y)?.km ?? 50)
    // Flood: low ground, the more so near a river or lake (when the water bodies are known).
    const nearWater = waterBodies.size > 0 ? 1 - smoothstep(waterBodies.nearest(seat, undefined, 20)?.km ?? 20, 0.5, 8) : 0.6
    const flood = (1 - smoothstep(elevationM, 35, 90)) * (0.3 + 0.7 * nearWater)
    const landslide = 0.85 * smoothstep(steepness, 0.75, 0.99)
    const rural = isRuralVillage(v.row)
    const remote = Math.max(smoothstep(distCountyKm, 15, 70), smoothstep(steepness, 0.5, 0.97))
    const broadbandYear = !rural
      ? PAVED_BEFORE_REGISTRY
      : bbRng.chance(0.65 - 0.45 * remote)
        ? PAVED_BEFORE_REGISTRY
        : bbRng.weighted([2015, 2016, 2017, 2018, 2019, 2020], [10, 15, 22, 25, 20, 8])
    villages.set(v.row.code, {
      code: v.row.code,
      townshipCode: township?.row.code ?? null,
      countyCode: county?.row.code ?? null,
      prefectureCode: prefecture?.row.code ?? null,
      seat,
      rural,
      ruralPopulation: v.row.rural_population ?? (rural ? 1500 : 4000),
      elevationM,
      slopeDeg,
      steepness,
      disasterRisk: Math.round(Math.max(flood, landslide) * 100) / 100,
      floodPlain: flood > 0.3,
      distTownshipKm,
      distCountyKm,
      distSchoolKm: schools.nearest(seat)?.km ?? 30,
      distClinicKm: clinics.nearest(seat)?.km ?? 30,
      distRoadKm,
      distWaterWorksKm,
      roadHardenedYear: roads.villageHardenedYear.get(v.row.code) ?? PAVED_BEFORE_REGISTRY,
      broadbandYear,
    })
  }
  return { villages, roadDistanceKm, nearestWaterWorks }
}

/** Registry figures of a village per year index (0 = 2014), scaled to the full registry. */
export interface VillageRegistryStats {
  registryHouseholds: number
  poorHouseholds: number[]
  poorPeople: number[]
  /** Registered households without safe water / safe housing in that year. */
  lackingWater: number[]
  lackingHousing: number[]
}

export const INDICATOR_DEFS: readonly IndicatorDefRow[] = [
  { code: 'elevation_m', name_zh: '平均海拔', name_en: 'Mean elevation', unit: 'm', direction: 'lower_better', category: 'natural', description: 'Mean of the terrain over the village seat and sample points of the village area' },
  { code: 'slope_deg', name_zh: '平均坡度', name_en: 'Mean slope', unit: 'deg', direction: 'lower_better', category: 'natural', description: 'Mean terrain slope over the village seat and sample points of the village area' },
  { code: 'disaster_risk', name_zh: '自然灾害风险指数', name_en: 'Natural disaster risk', unit: 'index', direction: 'lower_better', category: 'natural', description: '0–1: flood risk on low ground near rivers and lakes, landslide risk on steep slopes' },
  { code: 'dist_road_km', name_zh: '距硬化公路距离', name_en: 'Distance to paved road', unit: 'km', direction: 'lower_better', category: 'transport', description: 'Mean distance of the village area to the nearest road paved in that year' },
  { code: 'road_hardened', name_zh: '通硬化路', name_en: 'Paved road to the village', unit: 'bool', direction: 'higher_better', category: 'transport', description: '1 if the road from the village to the township seat was paved in that year' },
  { code: 'dist_township_km', name_zh: '距乡镇公路里程', name_en: 'Road distance to township seat', unit: 'km', direction: 'lower_better', category: 'transport', description: 'Shortest road-network distance from the village seat to its township seat' },
  { code: 'dist_county_km', name_zh: '距县城公路里程', name_en: 'Road distance to county seat', unit: 'km', direction: 'lower_better', category: 'transport', description: 'Shortest road-network distance from the village seat to its county seat' },
  { code: 'dist_school_km', name_zh: '距最近学校距离', name_en: 'Distance to nearest school', unit: 'km', direction: 'lower_better', category: 'education', description: 'Straight-line distance from the village seat to the nearest school of any level' },
  { code: 'dist_clinic_km', name_zh: '距最近医疗机构距离', name_en: 'Distance to nearest clinic', unit: 'km', direction: 'lower_better', category: 'health', description: 'Straight-line distance from the village seat to the nearest clinic, health centre or hospital' },
  { code: 'dist_water_works_km', name_zh: '距集中供水工程距离', name_en: 'Distance to water supply works', unit: 'km', direction: 'lower_better', category: 'water', description: 'Straight-line distance from the village seat to the nearest supply works operating in that year' },
  { code: 'safe_water_share', name_zh: '饮水安全户占比', name_en: 'Share of households with safe drinking water', unit: 'ratio', direction: 'higher_better', category: 'water', description: '0–1, all households of the village' },
  { code: 'safe_housing_share', name_zh: '住房安全户占比', name_en: 'Share of households with safe housing', unit: 'ratio', direction: 'higher_better', category: 'housing', description: '0–1, all households of the village' },
  { code: 'poverty_incidence', name_zh: '贫困发生率', name_en: 'Poverty incidence', unit: '%', direction: 'lower_better', category: 'poverty', description: 'Registered poor people (poor or returned that year) per 100 rural residents' },
  { code: 'poor_households', name_zh: '贫困户数', name_en: 'Poor households', unit: 'households', direction: 'lower_better', category: 'poverty', description: 'Registered households poor or returned that year (the full registry; the demo household table holds a sample of it)' },
  { code: 'poor_population', name_zh: '贫困人口', name_en: 'Poor population', unit: 'persons', direction: 'lower_better', category: 'poverty', description: 'Members of registered households poor or returned that year (full registry)' },
  { code: 'broadband', name_zh: '通宽带', name_en: 'Broadband', unit: 'bool', direction: 'higher_better', category: 'communication', description: '1 if the village had broadband access in that year' },
]

export interface IndicatorValueOptions {
  /** Years to write for a village (default: every year 2014–2020). */
  yearsFor?: (village: VillageEnv) => readonly number[]
}

const r2 = (x: number) => Math.round(x * 100) / 100
const r3 = (x: number) => Math.round(x * 1000) / 1000

/** Non-registered households lacking safe water: more where supply works are far and slopes steep. */
function otherLackingWaterShare(env: VillageEnv, yi: number): number {
  const base = 0.02 + 0.35 * smoothstep(env.distWaterWorksKm[yi]!, 2, 12) + 0.12 * smoothstep(env.steepness, 0.5, 0.97)
  return env.rural ? base * (1 - 0.12 * yi) : 0.005
}

function otherLackingHousingShare(env: VillageEnv, yi: number): number {
  const base = 0.01 + 0.06 * smoothstep(env.steepness, 0.5, 0.97)
  return env.rural ? base * (1 - 0.13 * yi) : 0.002
}

/** Indicator values for every village (and every year it is given) in the environment. */
export function generateIndicatorValues(
  env: Environment,
  stats: ReadonlyMap<string, VillageRegistryStats>,
  opts: IndicatorValueOptions = {},
): IndicatorValueRow[] {
  const rows: IndicatorValueRow[] = []
  const codes = [...env.villages.keys()].sort()
  for (const code of codes) {
    const v = env.villages.get(code)!
    const s = stats.get(code)
    const years = opts.yearsFor ? opts.yearsFor(v) : YEARS
    const totalHouseholds = Math.max(1, Math.round(v.ruralPopulation / 3.3), Math.ceil((s?.registryHouseholds ?? 0) * 1.05))
    const others = totalHouseholds - (s?.registryHouseholds ?? 0)
    for (const year of years) {
      const yi = yearIndex(year)
      const poorHH = s?.poorHouseholds[yi] ?? 0
      const poorPeople = s?.poorPeople[yi] ?? 0
      const lackWater = (s?.lackingWater[yi] ?? 0) + others * otherLackingWaterShare(v, yi)
      const lackHousing = (s?.lackingHousing[yi] ?? 0) + others * otherLackingHousingShare(v, yi)
      const put = (indicator_code: string, value: number) => rows.push({ area_code: code, indicator_code, year, value })
      put('elevation_m', Math.round(v.elevationM))
      put('slope_deg', r2(v.slopeDeg))
      put('disaster_risk', v.disasterRisk)
      put('dist_road_km', r2(v.distRoadKm[yi]!))
      put('road_hardened', v.roadHardenedYear <= year ? 1 : 0)
      put('dist_township_km', r2(v.distTownshipKm))
      put('dist_county_km', r2(v.distCountyKm))
      put('dist_school_km', r2(v.distSchoolKm))
      put('dist_clinic_km', r2(v.distClinicKm))
      put('dist_water_works_km', r2(v.distWaterWorksKm[yi]!))
      put('safe_water_share', r3(Math.min(1, Math.max(0, 1 - lackWater / totalHouseholds))))
      put('safe_housing_share', r3(Math.min(1, Math.max(0, 1 - lackHousing / totalHouseholds))))
      put('poverty_incidence', r2(Math.min(100, (100 * poorPeople) / Math.max(1, v.ruralPopulation))))
      put('poor_households', poorHH)
      put('poor_population', poorPeople)
      put('broadband', v.broadbandYear <= year ? 1 : 0)
    }
  }
  return rows
}
