import { PNG } from 'pngjs'
import type { Terrain } from '../../geodata/terrain-format.js'
import type { TileAddress } from './tile-filters.js'

export const TERRAIN_TILE_SIZE = 256

/** West, south, east, north (WGS84). */
export type Bounds = [number, number, number, number]

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

/** Whether a tile lies wholly outside these bounds (touching an edge counts as outside). */
export function tileOutside(t: TileAddress, [west, south, east, north]: Bounds): boolean {
  const n = 2 ** t.z
  const lon = (x: number) => (x / n) * 360 - 180
  const lat = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI
  return lon(t.x + 1) <= west || lon(t.x) >= east || lat(t.y) <= south || lat(t.y + 1) >= north
}
