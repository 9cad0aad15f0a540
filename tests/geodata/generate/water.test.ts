import { createHash } from 'node:crypto'
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { booleanValid } from '@turf/boolean-valid'
import { kinks } from '@turf/kinks'
import { polygon as turfPolygon } from '@turf/helpers'
import type { LineString, MultiPolygon, Position } from 'geojson'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../../geodata/generate/rng.js'
import { generateTerrain } from '../../../geodata/generate/terrain/index.js'
import { metresPerDegree } from '../../../geodata/terrain-format.js'
import type { Terrain, WaterRow } from '../../../geodata/generate/types.js'
import { REAL_RESERVOIRS, generateWater, type GeneratedWater } from '../../../geodata/generate/water/index.js'
import { sampleAlong } from '../../helpers/sample-along.js'

const SEED = 20140101

function distanceToLineM(p: Position, line: readonly Position[]): number {
  const m = metresPerDegree(p[1]!)
  let best = Infinity
  for (let k = 0; k + 1 < line.length; k++) {
    const ax = (line[k]![0]! - p[0]!) * m.lon
    const ay = (line[k]![1]! - p[1]!) * m.lat
    const dx = (line[k + 1]![0]! - line[k]![0]!) * m.lon
    const dy = (line[k + 1]![1]! - line[k]![1]!) * m.lat
    const len2 = dx * dx + dy * dy
    const t = len2 > 0 ? Math.min(1, Math.max(0, -(ax * dx + ay * dy) / len2)) : 0
    best = Math.min(best, Math.hypot(ax + dx * t, ay + dy * t))
  }
  return best
}

function rowsHash(rows: WaterRow[]): string {
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex')
}

const lineOf = (r: WaterRow) => (r.geom as LineString).coordinates
const polygonsOf = (r: WaterRow) => (r.geom as MultiPolygon).coordinates

describe('generateWater', () => {
  let terrain: Terrain
  let water: GeneratedWater
  let tributaries: WaterRow[]
  let lake: WaterRow
  beforeAll(() => {
    terrain = generateTerrain(createRng(SEED))
    water = generateWater(terrain, createRng(SEED).fork('water'))
    tributaries = water.rows.filter((r) => r.kind === 'river' && r.id > 4)
    lake = water.rows.find((r) => r.kind === 'lake')!
  }, 90_000)

  it('generateWater is deterministic: same terrain and seed, same rows; another seed, other names', () => {
    const coarse = generateTerrain(createRng(3), { cellDeg: 0.01 })
    const a = generateWater(coarse, createRng(5))
    const b = generateWater(coarse, createRng(5))
    const c = generateWater(coarse, createRng(6))
    expect(rowsHash(b.rows)).toBe(rowsHash(a.rows))
    expect(c.rows.map((r) => r.name)).not.toEqual(a.rows.map((r) => r.name))
  })

  it('numbers the rows 1…n: main rivers, the lake, reservoirs, then tributaries', () => {
    expect(water.rows.map((r) => r.id)).toEqual(water.rows.map((_, i) => i + 1))
    expect(water.rows.slice(0, 5).map((r) => [r.kind, r.name])).toEqual([
      ['river', '湘江'],
      ['river', '资水'],
      ['river', '沅江'],
      ['river', '澧水'],
      ['lake', '洞庭湖'],
    ])
    const kinds = water.rows.map((r) => r.kind)
    expect(kinds.lastIndexOf('reservoir')).toBeLessThan(kinds.indexOf('river', 5))
    expect(water.rows.every((r) => r.kind !== 'supply_works' && r.area_code === null)).toBe(true)
    expect(water.counts).toEqual({ mainRivers: 4, lakes: 1, reservoirs: water.rows.filter((r) => r.kind === 'reservoir').length, tributaries: tributaries.length })
  })

  it('ends each main river inside Dongting Lake and ranks it above every tributary', () => {
    const mainOrder = water.rows[0]!.stream_order!
    for (const river of water.rows.slice(0, 4)) {
      const line = lineOf(river)
      expect(booleanPointInPolygon(line[line.length - 1]!, lake.geom as MultiPolygon), river.name!).toBe(true)
      expect(booleanPointInPolygon(line[0]!, lake.geom as MultiPolygon), river.name!).toBe(false)
      expect(river.stream_order).toBe(mainOrder)
    }
    expect(Math.max(...tributaries.map((t) => t.stream_order!))).toBeLessThan(mainOrder)
  })

  it('draws Dongting Lake as three valid, closed lobes around 112.3–113.1 E, 28.8–29.5 N', () => {
    const lobes = polygonsOf(lake)
    expect(lobes).toHaveLength(3)
    for (const [ring] of lobes) {
      expect(ring![0]).toEqual(ring![ring!.length - 1])
      expect(kinks(turfPolygon([ring!])).features).toHaveLength(0)
    }
    expect(booleanValid(lake.geom)).toBe(true)
    const lons = lobes.flatMap((p) => p[0]!.map((c) => c[0]!))
    const lats = lobes.flatMap((p) => p[0]!.map((c) => c[1]!))
    expect(Math.min(...lons)).toBeGreaterThan(111.9)
    expect(Math.max(...lons)).toBeLessThan(113.2)
    expect(Math.min(...lats)).toBeGreaterThan(28.8)
    expect(Math.max(...lats)).toBeLessThan(29.5)
  })

  it('places the real reservoirs and synthetic ones as valid blobs with a capacity, away from the lake', () => {
    const reservoirs = water.rows.filter((r) => r.kind === 'reservoir')
    expect(reservoirs.slice(0, REAL_RESERVOIRS.length).map((r) => r.name)).toEqual(REAL_RESERVOIRS.map((r) => r.name))
    expect(reservoirs.length).toBeGreaterThan(REAL_RESERVOIRS.length)
    expect(new Set(reservoirs.map((r) => r.name)).size).toBe(reservoirs.length)
    for (const r of reservoirs) {
      expect(r.capacity, r.name!).toBeGreaterThan(0)
      expect(r.name).toMatch(/水库$/)
      const [ring] = polygonsOf(r)[0]!
      expect(ring![0]).toEqual(ring![ring!.length - 1])
      expect(kinks(turfPolygon([ring!])).features, r.name!).toHaveLength(0)
      const [lon, lat] = ring![0]!
      expect(terrain.elevation(lon!, lat!), r.name!).toBeGreaterThan(60)
      expect(booleanPointInPolygon([lon!, lat!], lake.geom as MultiPolygon)).toBe(false)
    }
    for (const spec of REAL_RESERVOIRS) {
      const r = reservoirs.find((x) => x.name === spec.name)!
      expect(distanceToLineM([spec.lon, spec.lat], polygonsOf(r)[0]![0]!), spec.name).toBeLessThan(30_000)
    }
  })

  it('traces a few hundred tributaries with unique made-up names', () => {
    expect(tributaries.length).toBeGreaterThan(200)
    expect(tributaries.length).toBeLessThan(700)
    const names = tributaries.map((t) => t.name!)
    expect(new Set(names).size).toBe(names.length)
    for (const name of names) expect(name).toMatch(/^\p{Script=Han}{3,4}$/u)
    for (const name of names) expect(name).toMatch(/[河溪水江]$/)
    expect(tributaries.every((t) => t.stream_order! >= 1)).toBe(true)
  })

  it('lets every tributary flow downhill: sampled every 100 m, no point above the one before', () => {
    const climbs: string[] = []
    let checked = 0
    for (const t of tributaries) {
      const profile = sampleAlong(lineOf(t), 100).map(([lon, lat]) => terrain.elevation(lon, lat))
      for (let k = 1; k < profile.length; k++) {
        if (profile[k]! > profile[k - 1]! + 0.5) climbs.push(`${t.name} (${t.id}) climbs ${(profile[k]! - profile[k - 1]!).toFixed(2)} m at ${k / 10} km`)
      }
      if (!(profile[0]! > profile[profile.length - 1]!)) climbs.push(`${t.name} (${t.id}) does not fall overall`)
      checked += profile.length
    }
    expect(climbs).toEqual([])
    expect(checked).toBeGreaterThan(10_000)
  })

  it('ends every tributary within 1 km of a main river, another tributary or the lake', () => {
    const rivers = water.rows.filter((r) => r.kind === 'river')
    for (const t of tributaries) {
      const line = lineOf(t)
      const mouth = line[line.length - 1]!
      if (booleanPointInPolygon(mouth, lake.geom as MultiPolygon)) continue
      const nearest = Math.min(...rivers.filter((r) => r !== t).map((r) => distanceToLineM(mouth, lineOf(r))))
      expect(nearest, `${t.name} (${t.id})`).toBeLessThan(1000)
    }
  })

  it('writes coordinates rounded to 6 decimals and lines of at least two distinct points', () => {
    const coords = water.rows.flatMap((r) => (r.geom.type === 'LineString' ? r.geom.coordinates : polygonsOf(r).flat(2)))
    expect(coords.flat().filter((v) => Math.round(v * 1e6) / 1e6 !== v)).toEqual([])
    for (const r of water.rows.filter((x) => x.kind === 'river')) {
      const line = lineOf(r)
      expect(line.length).toBeGreaterThanOrEqual(2)
      expect(line[0]).not.toEqual(line[line.length - 1])
    }
  })
})
