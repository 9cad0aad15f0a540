/**
 * Small stand-ins for the terrain, water and partition generators: two prefectures with two counties
 * each, four square townships per county and nine square villages per township (one of them an urban
 * community), a terrain of ridges rising to the west and a river. Real codes where they matter
 * (花垣县 433124, 双龙镇 433124110, 十八洞村 433124110226).
 */
import type { MultiPolygon, Point } from 'geojson'
import { generateFacilities, type Facilities } from '../../../geodata/generate/facilities.js'
import { generateHouseholds, planHouseholds, registryStats, selectPovertyVillages, type GeneratedHouseholds, type VillagePlan } from '../../../geodata/generate/households/index.js'
import { computeEnvironment, generateIndicatorValues, type Environment } from '../../../geodata/generate/indicators.js'
import { generateProjects } from '../../../geodata/generate/projects/index.js'
import { createRng } from '../../../geodata/generate/rng.js'
import { buildRoadNetwork, type RoadNetwork } from '../../../geodata/generate/roads/index.js'
import type { AdminAreaRow, IndicatorValueRow, ProjectRow, Scale, Terrain, WaterRow } from '../../../geodata/generate/types.js'

const RAD = Math.PI / 180

function square(w: number, s: number, size: number): MultiPolygon {
  const e = w + size
  const n = s + size
  return { type: 'MultiPolygon', coordinates: [[[[w, s], [e, s], [e, n], [w, n], [w, s]]]] }
}

function pt(lon: number, lat: number): Point {
  return { type: 'Point', coordinates: [Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6] }
}

function hash(s: string): number {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0
  return h / 4294967296
}

export function standInElevation(lon: number, lat: number): number {
  // Mountains in the west (lower longitude), ridges everywhere, a valley floor near 120 m in the east.
  const west = Math.max(0, 110.4 - lon)
  return 120 + 900 * west + 300 * (1 + Math.sin(lon * 120) * Math.cos(lat * 100)) * (0.15 + west)
}

export function standInTerrain(): Terrain {
  const west = 109.0
  const south = 28.0
  const cellDeg = 0.01
  const width = 150
  const height = 120
  const data = new Int16Array(width * height)
  for (let r = 0; r < height; r++)
    for (let c = 0; c < width; c++) data[r * width + c] = Math.round(standInElevation(west + c * cellDeg, south + (height - r) * cellDeg))
  const elevation = (lon: number, lat: number) => standInElevation(lon, lat)
  const slopeDeg = (lon: number, lat: number) => {
    const d = 0.002
    const kx = 111320 * Math.cos(lat * RAD)
    const ky = 110574
    const gx = (elevation(lon + d, lat) - elevation(lon - d, lat)) / (2 * d * kx)
    const gy = (elevation(lon, lat + d) - elevation(lon, lat - d)) / (2 * d * ky)
    return Math.atan(Math.hypot(gx, gy)) / RAD
  }
  return { west, south, east: west + width * cellDeg, north: south + height * cellDeg, width, height, cellDeg, data, elevation, slopeDeg }
}

interface CountySpec {
  code: string
  name: string
  prefecture: string
  poverty: boolean
  /** South-west corner of the county square (0.3° a side). */
  w: number
  s: number
}

const PREFECTURES = [
  { code: '4331', name: '湘西土家族苗族自治州' },
  { code: '4308', name: '张家界市' },
]

const COUNTIES: CountySpec[] = [
  { code: '433124', name: '花垣县', prefecture: '4331', poverty: true, w: 109.2, s: 28.3 },
  { code: '433101', name: '吉首市', prefecture: '4331', poverty: false, w: 109.5, s: 28.3 },
  { code: '430822', name: '桑植县', prefecture: '4308', poverty: true, w: 109.8, s: 28.3 },
  { code: '430802', name: '永定区', prefecture: '4308', poverty: false, w: 110.1, s: 28.3 },
]

const TOWNSHIP_NAMES = ['双龙镇', '龙潭镇', '民乐镇', '长乐乡', '溪口镇', '河口乡', '茶园镇', '西莲乡']
const VILLAGE_NAMES = ['丙池村', '敏腊村', '让乍村', '鸡坡岭村', '卧大召村', '雷公村', '岩锣村', '排料村', '金龙村', '桃花村', '张刀村', '马鞍村']

export interface StandIn {
  areas: AdminAreaRow[]
  terrain: Terrain
  water: WaterRow[]
}

/** The whole stand-in: 1 province, 2 prefectures, 4 counties, 16 townships, 144 villages. */
export function standIn(): StandIn {
  const areas: AdminAreaRow[] = []
  const row = (
    code: string,
    level: AdminAreaRow['level'],
    name: string,
    parent: string | null,
    geom: MultiPolygon | null,
    seat: Point | null,
    poverty = false,
    pop: number | null = null,
  ): AdminAreaRow => ({
    code,
    level,
    name,
    parent_code: parent,
    geom,
    seat,
    poverty_designated: poverty,
    rural_population: pop,
    geom_synthetic: true,
  })
  const countySeat = new Map<string, Point>()
  const countyRows: AdminAreaRow[] = []
  const townshipRows: AdminAreaRow[] = []
  const villageRows: AdminAreaRow[] = []
  for (const c of COUNTIES) {
    let countyPop = 0
    for (let t = 0; t < 4; t++) {
      const tw = c.w + (t % 2) * 0.15
      const ts = c.s + Math.floor(t / 2) * 0.15
      const tCode = c.code === '433124' && t === 0 ? '433124110' : `${c.code}${String(100 + t + 1)}`
      const tName = c.code === '433124' && t === 0 ? '双龙镇' : TOWNSHIP_NAMES[(t + COUNTIES.indexOf(c) * 2) % TOWNSHIP_NAMES.length]!
      let townshipPop = 0
      let townshipSeat: Point | null = null
      for (let v = 0; v < 9; v++) {
        const vw = tw + (v % 3) * 0.05
        const vs = ts + Math.floor(v / 3) * 0.05
        const jitterX = (hash(`${tCode}${v}x`) - 0.5) * 0.02
        const jitterY = (hash(`${tCode}${v}y`) - 0.5) * 0.02
        const seat = pt(vw + 0.025 + jitterX, vs + 0.025 + jitterY)
        let vCode = `${tCode}${String(200 + v + 1)}`
        let vName = VILLAGE_NAMES[(v + t) % VILLAGE_NAMES.length]!
        if (tCode === '433124110' && v === 2) {
          vCode = '433124110226'
          vName = '十八洞村'
        }
        if (v === 0 && t === 0) vName = '城关社区居委会'
        const pop = v === 0 && t === 0 ? 4200 : Math.round(700 + 1800 * hash(vCode))
        townshipPop += pop
        if (v === 4) townshipSeat = seat
        villageRows.push(row(vCode, 'village', vName, tCode, square(vw, vs, 0.05), seat, false, pop))
      }
      countyPop += townshipPop
      townshipRows.push(row(tCode, 'township', tName, c.code, square(tw, ts, 0.15), townshipSeat, false, townshipPop))
      if (t === 0) countySeat.set(c.code, townshipSeat!)
    }
    countyRows.push(row(c.code, 'county', c.name, c.prefecture, square(c.w, c.s, 0.3), countySeat.get(c.code)!, c.poverty, countyPop))
  }
  const prefectureRows = PREFECTURES.map((p) => {
    const counties = countyRows.filter((c) => c.parent_code === p.code)
    const pop = counties.reduce((s, c) => s + (c.rural_population ?? 0), 0)
    // The prefecture seat lies in its second county (吉首市 for 湘西, 永定区 for 张家界).
    return row(p.code, 'prefecture', p.name, '43', null, counties[1]!.seat, false, pop)
  })
  areas.push(row('43', 'province', '湖南省', null, null, pt(110.32, 28.55), false, null))
  areas.push(...prefectureRows, ...countyRows, ...townshipRows, ...villageRows)

  const water: WaterRow[] = [
    {
      id: 1,
      kind: 'river',
      name: '酉水',
      stream_order: 4,
      capacity: null,
      area_code: null,
      geom: { type: 'LineString', coordinates: [[109.2, 28.42], [109.6, 28.45], [110.0, 28.41], [110.4, 28.44]] },
    },
  ]
  return { areas, terrain: standInTerrain(), water }
}

// ---------------------------------------------------------------------------------------------
// The generators after partition, run on the stand-in (what index.ts does, minus terrain/water/partition).
// ---------------------------------------------------------------------------------------------

export interface StandInRun extends StandIn {
  roads: RoadNetwork
  facilities: Facilities
  env: Environment
  povertyVillages: Set<string>
  plans: VillagePlan[]
  households: GeneratedHouseholds
  projects: ProjectRow[]
  indicators: IndicatorValueRow[]
}

export const WATER_ID_OFFSET = 1000

/** Every generator after the partition, on the stand-in; the province scale keeps the registry small. */
export function runStandIn(seed: number, scale: Scale = 'province'): StandInRun {
  const base = standIn()
  const root = createRng(seed)
  const roads = buildRoadNetwork(base.areas, base.terrain, root.fork('roads'))
  const facilities = generateFacilities(base.areas, base.terrain, root.fork('facilities'), { waterIdOffset: WATER_ID_OFFSET })
  const env = computeEnvironment({ areas: base.areas, terrain: base.terrain, roads, facilities, water: base.water }, root.fork('environment'))
  const selection = selectPovertyVillages(base.areas, env, root.fork('poverty-villages'))
  const pc = new Set(base.areas.filter((a) => a.level === 'county' && a.poverty_designated).map((a) => a.code))
  // About 3,000 registered households at province scale: enough for statistics, quick to generate.
  const plans = planHouseholds(env, selection.povertyVillages, pc, root.fork('household-plan'), { scale, poorPeople2014: 11_000, demoHouseholds: 1200 })
  const households = generateHouseholds({ areas: selection.areas, env, plans }, root.fork('households'))
  const projects = generateProjects(
    { areas: selection.areas, env, roads, facilities, summary: households.summary, povertyVillages: selection.povertyVillages, scale },
    root.fork('projects'),
  )
  const indicators = generateIndicatorValues(env, registryStats(plans, households.summary))
  return { ...base, areas: selection.areas, roads, facilities, env, povertyVillages: selection.povertyVillages, plans, households, projects, indicators }
}
