import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { kinks } from '@turf/kinks'
import { polygon } from '@turf/helpers'
import type { MultiPolygon, Position } from 'geojson'
import * as polyclip from 'polyclip-ts'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  geometryProblems,
  isCommunity,
  partitionAdmin,
  partitionStats,
  POVERTY_COUNTY_CODES,
  readSources,
  type DivisionRecord,
  type PartitionSources,
} from '../../../geodata/generate/partition/index.js'
import { createRng } from '../../../geodata/generate/rng.js'
import type { AdminAreaRow } from '../../../geodata/generate/types.js'

/**
 * Rising to the west and south, with ridges ≈ 15 km apart so that every county has valleys and heights:
 * ≈ 100–800 m round 汨罗 (113.1E), ≈ 600–1,300 m round 花垣 (109.5E).
 */
function standInElevation(lon: number, lat: number): number {
  const regional = Math.max(0, (113.6 - lon) * 120 + (29.2 - lat) * 80)
  return 40 + regional + 700 * Math.max(0, Math.sin(lon * 40) * Math.cos(lat * 33))
}

/** Planar area in deg² (exactly additive, unlike a geodesic area of lon/lat edges). */
function planarArea(mp: Position[][][]): number {
  let s = 0
  for (const poly of mp) {
    for (const ring of poly) {
      const [x0, y0] = ring[0]!
      for (let i = 1; i + 1 < ring.length; i++) {
        const a = ring[i]!
        const b = ring[i + 1]!
        s += ((a[0]! - x0!) * (b[1]! - y0!) - (b[0]! - x0!) * (a[1]! - y0!)) / 2
      }
    }
  }
  return s
}

function union(geoms: MultiPolygon[]): Position[][][] {
  const [first, ...rest] = geoms.map((g) => g.coordinates as polyclip.Geom)
  return polyclip.union(first!, ...rest)
}

/** Spearman's rank correlation. */
function rankCorrelation(a: number[], b: number[]): number {
  const ranks = (xs: number[]) => {
    const r = new Array<number>(xs.length)
    xs.map((x, i) => [x, i] as const)
      .sort((p, q) => p[0] - q[0])
      .forEach(([, i], k) => (r[i] = k))
    return r
  }
  const ra = ranks(a)
  const rb = ranks(b)
  const m = (a.length - 1) / 2
  let sab = 0
  let saa = 0
  for (let i = 0; i < a.length; i++) {
    sab += (ra[i]! - m) * (rb[i]! - m)
    saa += (ra[i]! - m) ** 2
  }
  return sab / saa
}

function centroidOf(mp: MultiPolygon): [number, number] {
  let sx = 0
  let sy = 0
  let n = 0
  for (const poly of mp.coordinates) {
    for (const p of poly[0]!.slice(1)) {
      sx += p[0]!
      sy += p[1]!
      n++
    }
  }
  return [sx / n, sy / n]
}

/** Province, the counties' prefectures, the counties and everything below them. */
function subset(sources: PartitionSources, counties: string[]): DivisionRecord[] {
  return sources.divisions.filter(
    (d) =>
      d.level === 'province' ||
      (d.level === 'prefecture' && counties.some((c) => c.startsWith(d.code))) ||
      counties.some((c) => d.code.startsWith(c)),
  )
}

// 花垣县 (mountains, Xiangxi), 汨罗市 (Dongting plain) with 屈原管理区, a zone inside 汨罗's outline.
const COUNTIES = ['433124', '430681', '430671']

describe('partitionAdmin on 花垣县, 汨罗市 and 屈原管理区', () => {
  const sources = readSources()
  const divisions = subset(sources, COUNTIES)
  const input = { ...sources, divisions }
  let rows: AdminAreaRow[]
  let byCode: Map<string, AdminAreaRow>
  const childrenOf = (code: string) => rows.filter((r) => r.parent_code === code)

  beforeAll(() => {
    rows = partitionAdmin(input, standInElevation, createRng(2024))
    byCode = new Map(rows.map((r) => [r.code, r]))
  })

  it('gives every division a row with its code, name, level and parent, sorted by code', () => {
    expect(rows.map((r) => r.code)).toEqual(divisions.map((d) => d.code).sort())
    for (const d of divisions) {
      const r = byCode.get(d.code)!
      expect([r.name, r.level, r.parent_code]).toEqual([d.name, d.level, d.parent])
      expect(r.geom?.type).toBe('MultiPolygon')
      expect(r.seat?.type).toBe('Point')
    }
    expect(partitionStats(rows).rows).toEqual({ province: 1, prefecture: 2, county: 3, township: 32, village: 445 })
  })

  it('is deterministic: the same seed gives the same rows, another seed other shapes', () => {
    expect(partitionAdmin(input, standInElevation, createRng(2024))).toEqual(rows)
    const other = partitionAdmin(input, standInElevation, createRng(2025))
    expect(other.map((r) => r.code)).toEqual(rows.map((r) => r.code))
    const moved = other.filter((r, i) => r.level === 'village' && JSON.stringify(r.geom) !== JSON.stringify(rows[i]!.geom))
    expect(moved.length).toBeGreaterThan(400)
  })

  it('rounds every coordinate to 6 decimals', () => {
    const off = (x: number) => Math.abs(x * 1e6 - Math.round(x * 1e6)) > 1e-6
    for (const r of rows) {
      expect(r.seat!.coordinates.some(off)).toBe(false)
      expect(r.geom!.coordinates.flat(2).some((p) => off(p[0]!) || off(p[1]!))).toBe(false)
    }
  })

  it('gives valid polygons: no self-intersection, holes inside, parts disjoint', () => {
    for (const r of rows) expect(geometryProblems(r.geom!), `${r.level} ${r.code}`).toEqual([])
    // An independent check of every ring on its own.
    for (const r of rows.filter((x) => x.level === 'village' || x.level === 'township')) {
      for (const poly of r.geom!.coordinates) {
        for (const ring of poly) expect(kinks(polygon([ring])).features, `${r.code}`).toHaveLength(0)
      }
    }
  })

  it('partitions every township into its villages without gaps or overlaps', () => {
    const townships = rows.filter((r) => r.level === 'township')
    expect(townships).toHaveLength(32)
    for (const t of townships) {
      const villages = childrenOf(t.code)
      expect(villages.length).toBeGreaterThan(0)
      const a = planarArea(t.geom!.coordinates)
      const sum = villages.reduce((s, v) => s + planarArea(v.geom!.coordinates), 0)
      const all = union(villages.map((v) => v.geom!))
      const outside = polyclip.difference(all as polyclip.Geom, t.geom!.coordinates as polyclip.Geom)
      // Sum = union: no overlaps; union = township and nothing outside it: no gaps.
      expect(Math.abs(sum - a) / a, t.code).toBeLessThan(1e-9)
      expect(Math.abs(planarArea(all) - a) / a, t.code).toBeLessThan(1e-9)
      expect(Math.abs(planarArea(outside)) / a, t.code).toBeLessThan(1e-9)
    }
  })

  it('partitions each outline among its townships, zone townships included', () => {
    const parts: Record<string, string[]> = { '433124': ['433124'], '430681': ['430681', '430671'] }
    for (const [outline, owners] of Object.entries(parts)) {
      const county = byCode.get(outline)!
      const townships = owners.flatMap(childrenOf)
      const a = planarArea(county.geom!.coordinates)
      const sum = townships.reduce((s, t) => s + planarArea(t.geom!.coordinates), 0)
      const all = union(townships.map((t) => t.geom!))
      // Township crossings of the real outline are rounded to 1e-6° and stay off its edges by < 1e-6°.
      expect(Math.abs(sum - a) / a).toBeLessThan(1e-5)
      expect(Math.abs(planarArea(all) - a) / a).toBeLessThan(1e-5)
    }
  })

  it('keeps the real county outline and builds the zone from its townships inside it', () => {
    const outline = sources.counties.features.find((f) => f.properties.code === '430681')!.geometry
    const miluo = byCode.get('430681')!
    expect(miluo.geom_synthetic).toBe(false)
    expect(planarArea(miluo.geom!.coordinates)).toBeCloseTo(Math.abs(planarArea(outline.coordinates)), 10)
    const zone = byCode.get('430671')!
    expect(zone.geom_synthetic).toBe(true)
    const zoneArea = planarArea(zone.geom!.coordinates)
    const townshipArea = childrenOf('430671').reduce((s, t) => s + planarArea(t.geom!.coordinates), 0)
    expect(Math.abs(zoneArea - townshipArea) / zoneArea).toBeLessThan(1e-9)
    const outside = polyclip.difference(zone.geom!.coordinates as polyclip.Geom, miluo.geom!.coordinates as polyclip.Geom)
    expect(Math.abs(planarArea(outside)) / zoneArea).toBeLessThan(1e-5)
    // Clustered round the zone's probe point, a modest share of the parent (real: ≈ 200 of 1,700 km²).
    const probe = sources.reconciliation.zones.find((z) => z.code === '430671')!.probe
    const meanDistance = (code: string) => {
      const seats = childrenOf(code).map((t) => t.seat!.coordinates)
      return seats.reduce((s, p) => s + Math.hypot(p[0]! - probe[0], p[1]! - probe[1]), 0) / seats.length
    }
    expect(meanDistance('430671')).toBeLessThan(0.5 * meanDistance('430681'))
    expect(zoneArea / planarArea(miluo.geom!.coordinates)).toBeLessThan(0.5)
  })

  it('puts every seat strictly inside its own polygon, the county seat in its seat township', () => {
    for (const r of rows) {
      expect(booleanPointInPolygon(r.seat!.coordinates, r.geom!, { ignoreBoundary: true }), `${r.level} ${r.code}`).toBe(true)
    }
    // The county seat lies in the first township (the county town), whose seat it also is.
    expect(childrenOf('433124')[0]!.seat).toEqual(byCode.get('433124')!.seat)
    // Without 长沙 (4301) and 岳阳楼区 (430602) in the subset: the first prefecture, its first county.
    expect(byCode.get('43')!.seat).toEqual(byCode.get('4306')!.seat)
    expect(byCode.get('4331')!.seat).toEqual(byCode.get('433124')!.seat)
  })

  it('makes villages larger where the land is higher', () => {
    for (const county of ['433124', '430681']) {
      // Communities are urban, small by design; the comparison is between villages (村).
      const villages = rows
        .filter((r) => r.level === 'village' && r.code.startsWith(county) && !isCommunity(r.name))
        .map((v) => ({ area: planarArea(v.geom!.coordinates), elev: standInElevation(...centroidOf(v.geom!)) }))
      expect(rankCorrelation(villages.map((v) => v.elev), villages.map((v) => v.area)), county).toBeGreaterThan(0.25)
      const sorted = [...villages].sort((a, b) => a.elev - b.elev)
      const third = Math.floor(sorted.length / 3)
      const mean = (xs: typeof sorted) => xs.reduce((s, x) => s + x.area, 0) / xs.length
      expect(mean(sorted.slice(-third)) / mean(sorted.slice(0, third)), county).toBeGreaterThan(1.15)
    }
  })

  it('sizes townships by their number of villages', () => {
    const townships = rows.filter((r) => r.level === 'township' && r.code.startsWith('433124'))
    const count = townships.map((t) => childrenOf(t.code).length)
    const area = townships.map((t) => planarArea(t.geom!.coordinates))
    expect(rankCorrelation(count, area)).toBeGreaterThan(0.5)
  })

  it('places 十八洞村 inside 双龙镇', () => {
    const village = byCode.get('433124110226')!
    const township = byCode.get('433124110')!
    expect(village.name).toBe('十八洞村')
    expect(village.parent_code).toBe('433124110')
    const a = planarArea(village.geom!.coordinates)
    expect(a).toBeGreaterThan(0)
    const outside = polyclip.difference(village.geom!.coordinates as polyclip.Geom, township.geom!.coordinates as polyclip.Geom)
    expect(Math.abs(planarArea(outside)) / a).toBeLessThan(1e-9)
  })

  it('draws plausible rural populations and sums them upwards', () => {
    const villages = rows.filter((r) => r.level === 'village')
    for (const v of villages) {
      const p = v.rural_population!
      if (isCommunity(v.name)) expect(p).toBeLessThanOrEqual(300)
      else expect(p).toBeGreaterThanOrEqual(300)
      expect(p).toBeLessThanOrEqual(3500)
    }
    for (const r of rows.filter((x) => x.level !== 'village')) {
      expect(r.rural_population, r.code).toBe(childrenOf(r.code).reduce((s, k) => s + k.rural_population!, 0))
    }
    const mean = (code: string) => {
      const vs = villages.filter((v) => v.code.startsWith(code) && !isCommunity(v.name))
      return vs.reduce((s, v) => s + v.rural_population!, 0) / vs.length
    }
    // Fewer people per village in the mountains.
    expect(mean('433124')).toBeLessThan(mean('430681'))
  })

  it('designates poverty counties only, from the committed list', () => {
    expect(byCode.get('433124')!.poverty_designated).toBe(true)
    expect(byCode.get('430681')!.poverty_designated).toBe(false)
    expect(rows.filter((r) => r.level !== 'county').some((r) => r.poverty_designated)).toBe(false)
    expect(POVERTY_COUNTY_CODES.size).toBe(51)
    const xiangxi = sources.divisions.filter((d) => d.level === 'county' && d.parent === '4331')
    expect(xiangxi).toHaveLength(8)
    for (const d of xiangxi) expect(POVERTY_COUNTY_CODES.has(d.code), d.name).toBe(true)
    const countyCodes = new Set(sources.divisions.filter((d) => d.level === 'county').map((d) => d.code))
    for (const code of POVERTY_COUNTY_CODES) expect(countyCodes.has(code), code).toBe(true)
  })

  it('refuses a zone without its boundary parent', () => {
    const zoneOnly = subset(sources, ['430671'])
    expect(() => partitionAdmin({ ...sources, divisions: zoneOnly }, standInElevation, createRng(1))).toThrow(/430681/)
  })
})

describe('partitionAdmin on the whole province', () => {
  it('gives every division of the NBS list a row with a valid geometry and a seat', { timeout: 180_000 }, () => {
    const sources = readSources()
    const started = performance.now()
    const rows = partitionAdmin(sources, standInElevation, createRng(7))
    const seconds = (performance.now() - started) / 1000
    expect(seconds).toBeLessThan(90)

    const expected = { province: 0, prefecture: 0, county: 0, township: 0, village: 0 }
    for (const d of sources.divisions) expected[d.level]++
    expect(expected).toEqual({ province: 1, prefecture: 14, county: 134, township: 2008, village: 29534 })
    const stats = partitionStats(rows)
    expect(stats.rows).toEqual(expected)
    expect(stats.withGeom).toEqual(expected)
    expect(stats.withSeat).toEqual(expected)
    expect(stats.povertyCounties).toBe(51)
    expect(rows.filter((r) => r.level === 'county' && !r.geom_synthetic)).toHaveLength(122)
    for (const r of rows) expect(geometryProblems(r.geom!), `${r.level} ${r.code}`).toEqual([])
    const byCode = new Map(rows.map((r) => [r.code, r]))
    expect(byCode.get('4301')!.seat).toEqual(byCode.get('430102')!.seat)
    expect(byCode.get('43')!.seat).toEqual(byCode.get('4301')!.seat)
    // Hunan is ≈ 211,800 km²; the outlines are generalised.
    expect(stats.meanAreaKm2.province).toBeGreaterThan(205_000)
    expect(stats.meanAreaKm2.province).toBeLessThan(220_000)
  })
})
