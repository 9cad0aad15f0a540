import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bbox } from '@turf/bbox'
import type { FeatureCollection, MultiPolygon } from 'geojson'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../../geodata/generate/rng.js'
import {
  DEFAULT_CELL_DEG,
  LAKE_SURFACE_M,
  borderMask,
  generateTerrain,
  lakeMask,
  mainRiverCourses,
  priorityFlood,
  profileMaxRise,
} from '../../../geodata/generate/terrain/index.js'
import { loadTerrain, metresPerDegree, saveTerrain, terrainFromBuffer, terrainFromGrid, terrainToBuffer, type Terrain } from '../../../geodata/terrain-format.js'
import { sampleAlong } from '../../helpers/sample-along.js'

const SEED = 20140101

function demHash(t: Terrain): string {
  return createHash('sha256').update(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)).digest('hex')
}

/** Median elevation over a 5 × 5 lattice spanning ±2 km around a place. */
function medianAround(t: Terrain, lon: number, lat: number): number {
  const values: number[] = []
  for (let i = -2; i <= 2; i++) for (let j = -2; j <= 2; j++) values.push(t.elevation(lon + i * 0.01, lat + j * 0.009))
  values.sort((a, b) => a - b)
  return values[12]!
}

describe('generateTerrain', () => {
  let terrain: Terrain
  beforeAll(() => {
    terrain = generateTerrain(createRng(SEED))
  }, 60_000)

  it('generateTerrain is deterministic: same seed, same DEM; another seed, another DEM', () => {
    const a = generateTerrain(createRng(7), { cellDeg: 0.01 })
    const b = generateTerrain(createRng(7), { cellDeg: 0.01 })
    const c = generateTerrain(createRng(8), { cellDeg: 0.01 })
    expect(demHash(b)).toBe(demHash(a))
    expect(demHash(c)).not.toBe(demHash(a))
    expect([a.width, a.height]).toEqual([580, 580])
  })

  it('covers the county outlines of Hunan with cells of 0.0025°', () => {
    const counties = JSON.parse(readFileSync('geodata/sources/hunan-counties.geojson', 'utf8')) as FeatureCollection<MultiPolygon>
    const [w, s, e, n] = bbox(counties)
    expect(terrain.cellDeg).toBe(DEFAULT_CELL_DEG)
    expect(terrain.west).toBeLessThan(w)
    expect(terrain.south).toBeLessThan(s)
    expect(terrain.east).toBeGreaterThan(e)
    expect(terrain.north).toBeGreaterThan(n)
    expect(terrain.data.length).toBe(terrain.width * terrain.height)
    // 0.0025° of longitude is under 250 m everywhere in Hunan.
    expect(DEFAULT_CELL_DEG * metresPerDegree(24.6).lon).toBeLessThan(255)
  })

  it('puts the Dongting plain low, the central hills in between and the Wuling and Nanling mountains high', () => {
    expect(terrain.elevation(112.5, 29.2)).toBeLessThan(100)
    expect(terrain.elevation(112.9, 29.2)).toBe(LAKE_SURFACE_M) // East Dongting
    expect(medianAround(terrain, 109.8, 29.0)).toBeGreaterThan(600) // Wuling
    expect(medianAround(terrain, 112.8, 25.1)).toBeGreaterThan(600) // Nanling
    expect(medianAround(terrain, 110.45, 27.35)).toBeGreaterThan(800) // Xuefeng, 苏宝顶
    const hills = medianAround(terrain, 112.3, 27.0) // between Hengyang and Shaoyang
    expect(hills).toBeGreaterThan(60)
    expect(hills).toBeLessThan(500)
    let max = 0
    for (const v of terrain.data) max = Math.max(max, v)
    expect(max).toBeGreaterThan(1600)
    expect(max).toBeLessThanOrEqual(2115) // 神农峰, Hunan's highest
  })

  it('slopeDeg: flat on the lake, steep in the mountains', () => {
    expect(terrain.slopeDeg(112.9, 29.2)).toBeLessThan(0.5)
    let mountain = 0
    let plain = 0
    for (let i = 0; i < 100; i++) {
      mountain += terrain.slopeDeg(109.6 + (i % 10) * 0.03, 28.8 + Math.floor(i / 10) * 0.03)
      plain += terrain.slopeDeg(112.2 + (i % 10) * 0.02, 29.4 + Math.floor(i / 10) * 0.02)
    }
    expect(mountain / 100).toBeGreaterThan(8)
    expect(plain / 100).toBeLessThan(2)
  })

  it('falls monotonically along every main river, sampled every 2 km, to the lake', () => {
    const courses = mainRiverCourses()
    expect(courses.map((c) => c.name)).toEqual(['湘江', '资水', '沅江', '澧水'])
    for (const course of courses) {
      const profile = sampleAlong(course.coords, 2000).map(([lon, lat]) => terrain.elevation(lon, lat))
      for (let k = 1; k < profile.length; k++) expect(profile[k]!, `${course.name} at ${2 * k} km`).toBeLessThanOrEqual(profile[k - 1]! + 0.01)
      expect(profile[0]! - profile[profile.length - 1]!, course.name).toBeGreaterThan(150)
      expect(profile[profile.length - 1]).toBe(LAKE_SURFACE_M)
    }
  })

  it('has no depressions: flooding from the lake and the grid edge raises no cell', () => {
    const outlets = borderMask(terrain.width, terrain.height)
    const lake = lakeMask(terrain)
    for (let i = 0; i < outlets.length; i++) outlets[i] = outlets[i]! | lake[i]!
    const filled = terrain.data.slice()
    priorityFlood(filled, terrain.width, terrain.height, outlets, 4)
    expect(demHash({ ...terrain, data: filled })).toBe(demHash(terrain))
  })

  describe('persistence', () => {
    let dir: string
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'povmap-terrain-'))
    })
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true })
    })

    it('terrainToBuffer/terrainFromBuffer round-trip the grid and the elevations', () => {
      const buf = terrainToBuffer(terrain)
      expect(buf.length).toBeLessThan(terrain.data.length * 2 + 1024)
      const back = terrainFromBuffer(buf)
      expect([back.west, back.south, back.east, back.north, back.width, back.height, back.cellDeg]).toEqual([
        terrain.west,
        terrain.south,
        terrain.east,
        terrain.north,
        terrain.width,
        terrain.height,
        terrain.cellDeg,
      ])
      expect(demHash(back)).toBe(demHash(terrain))
      expect(back.elevation(110.123, 27.456)).toBe(terrain.elevation(110.123, 27.456))
    })

    it('saveTerrain/loadTerrain round-trip through a file and reject a foreign one', async () => {
      const path = join(dir, 'nested', 'dem.bin')
      await saveTerrain(path, terrain)
      expect(demHash(await loadTerrain(path))).toBe(demHash(terrain))
      const bogus = join(dir, 'bogus.bin')
      await writeFile(bogus, Buffer.from('not a dem'))
      await expect(loadTerrain(bogus)).rejects.toThrow(/Unable to load terrain/)
    })
  })
})

describe('terrainFromGrid', () => {
  // 2 × 2 cells of 1°: centres at (0.5, 1.5) 0 m, (1.5, 1.5) 10 m, (0.5, 0.5) 10 m, (1.5, 0.5) 0 m.
  const saddle = terrainFromGrid({ west: 0, south: 0, east: 2, north: 2, width: 2, height: 2, cellDeg: 1, data: Int16Array.from([0, 10, 10, 0]) })

  it('elevation interpolates bilinearly between cell centres and clamps outside them', () => {
    expect(saddle.elevation(0.5, 1.5)).toBe(0)
    expect(saddle.elevation(1, 1)).toBe(5)
    expect(saddle.elevation(1, 1.5)).toBe(5)
    expect(saddle.elevation(-3, 9)).toBe(0)
  })

  it('profileMaxRise finds the bump a diagonal crosses and none along an edge', () => {
    expect(profileMaxRise(saddle, [[0.5, 1.5], [1.5, 0.5]])).toBeCloseTo(5, 9)
    expect(profileMaxRise(saddle, [[1.5, 1.5], [0.5, 1.5]])).toBe(0)
    expect(profileMaxRise(saddle, [[0.5, 1.5], [1.5, 1.5]])).toBe(10)
  })
})
