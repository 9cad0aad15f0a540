/** What the partition reads of the terrain: elevation and slope at a position. */
import type { Terrain } from '../types.js'
import { KM_PER_DEG } from './rings.js'

export type ElevationFn = (lon: number, lat: number) => number

/** Anything with an elevation; `Terrain` qualifies. */
export interface ElevationModel {
  elevation(lon: number, lat: number): number
  slopeDeg?(lon: number, lat: number): number
}

export interface Surface {
  elevation: ElevationFn
  slopeDeg: ElevationFn
}

export function surfaceOf(terrain: Terrain | ElevationModel | ElevationFn): Surface {
  const elevation: ElevationFn =
    typeof terrain === 'function' ? terrain : (lon, lat) => terrain.elevation(lon, lat)
  if (typeof terrain !== 'function' && terrain.slopeDeg) {
    const model = terrain
    return { elevation, slopeDeg: (lon, lat) => model.slopeDeg!(lon, lat) }
  }
  const h = 0.002
  const slopeDeg: ElevationFn = (lon, lat) => {
    const mx = 2 * h * KM_PER_DEG * 1000 * Math.cos((lat * Math.PI) / 180)
    const my = 2 * h * KM_PER_DEG * 1000
    const gx = (elevation(lon + h, lat) - elevation(lon - h, lat)) / mx
    const gy = (elevation(lon, lat + h) - elevation(lon, lat - h)) / my
    return (Math.atan(Math.hypot(gx, gy)) * 180) / Math.PI
  }
  return { elevation, slopeDeg }
}
