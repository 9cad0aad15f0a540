import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { PNG } from 'pngjs'
import { LRUCache } from 'lru-cache'
import type { Terrain } from '../../geodata/generate/types.js'
import { loadTerrain } from '../../geodata/generate/terrain.js'
import type { TileAddress } from './tile-filters.js'

export const TERRAIN_TILE_SIZE = 256

/** Where the loader writes the DEM it generated, and where the tile server reads it. */
export function terrainPath(dataDir: string): string {
  return join(dataDir, 'terrain', 'dem.bin')
}

/**
 * Terrarium encoding (as MapLibre's raster-dem 'terrarium' expects):
 * height = R × 256 + G + B / 256 − 32768.
 */
export function encodeTerrarium(height: number, out: Uint8Array, at: number): void {
  const v = Math.max(0, Math.min(65535.996, height + 32768))
  const whole = Math.floor(v)
  out[at] = whole >> 8
  out[at + 1] = whole & 255
  out[at + 2] = Math.floor((v - whole) * 256)
  out[at + 3] = 255
}

export function decodeTerrarium(r: number, g: number, b: number): number {
  return r * 256 + g + b / 256 - 32768
}

/** One 256×256 Terrarium PNG cut from the DEM: each pixel samples the elevation at its centre. */
export function renderTerrainTile(terrain: Terrain, t: TileAddress): Buffer {
  const size = TERRAIN_TILE_SIZE
  const png = new PNG({ width: size, height: size })
  const n = 2 ** t.z
  const lons = new Float64Array(size)
  for (let i = 0; i < size; i++) lons[i] = ((t.x + (i + 0.5) / size) / n) * 360 - 180
  for (let j = 0; j < size; j++) {
    const my = Math.PI * (1 - (2 * (t.y + (j + 0.5) / size)) / n)
    const lat = (Math.atan(Math.sinh(my)) * 180) / Math.PI
    for (let i = 0; i < size; i++) encodeTerrarium(terrain.elevation(lons[i]!, lat), png.data, (j * size + i) * 4)
  }
  return PNG.sync.write(png, { colorType: 6 })
}

/** Serves terrain tiles from DATA_DIR's DEM, reloading it when a new load wrote another one. */
export class TerrainTiles {
  private terrain: Promise<Terrain> | undefined
  private readonly cache = new LRUCache<string, { body: Buffer; etag: string }>({ maxSize: 64 * 1024 * 1024, sizeCalculation: (v) => v.body.length + 64 })

  constructor(private readonly dataDir: string) {}

  available(): boolean {
    return existsSync(terrainPath(this.dataDir))
  }

  /** Forget the DEM and every tile cut from it (after a new load). */
  reset(): void {
    this.terrain = undefined
    this.cache.clear()
  }

  async tile(t: TileAddress): Promise<{ body: Buffer; etag: string }> {
    const key = `${t.z}/${t.x}/${t.y}`
    const hit = this.cache.get(key)
    if (hit) return hit
    this.terrain ??= loadTerrain(terrainPath(this.dataDir)).catch((err: unknown) => {
      this.terrain = undefined
      throw err
    })
    const body = renderTerrainTile(await this.terrain, t)
    const tile = { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` }
    this.cache.set(key, tile)
    return tile
  }
}
