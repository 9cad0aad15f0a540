import { ADMIN_LEVELS, type AdminLevel } from '../../../domain/admin-codes.js'
import type { AdminAreaRow } from '../types.js'
import { areaKm2 } from './rings.js'

export interface PartitionStats {
  rows: Record<AdminLevel, number>
  withGeom: Record<AdminLevel, number>
  withSeat: Record<AdminLevel, number>
  /** Mean area in km² per level (rows with a geometry). */
  meanAreaKm2: Record<AdminLevel, number>
  ruralPopulation: number
  povertyCounties: number
}

export function partitionStats(rows: readonly AdminAreaRow[]): PartitionStats {
  const zero = () => Object.fromEntries(ADMIN_LEVELS.map((l) => [l, 0])) as Record<AdminLevel, number>
  const stats: PartitionStats = {
    rows: zero(),
    withGeom: zero(),
    withSeat: zero(),
    meanAreaKm2: zero(),
    ruralPopulation: 0,
    povertyCounties: 0,
  }
  for (const r of rows) {
    stats.rows[r.level]++
    if (r.geom) {
      stats.withGeom[r.level]++
      stats.meanAreaKm2[r.level] += areaKm2(r.geom.coordinates)
    }
    if (r.seat) stats.withSeat[r.level]++
    if (r.level === 'province') stats.ruralPopulation += r.rural_population ?? 0
    if (r.level === 'county' && r.poverty_designated) stats.povertyCounties++
  }
  for (const l of ADMIN_LEVELS) {
    if (stats.withGeom[l] > 0) stats.meanAreaKm2[l] /= stats.withGeom[l]
  }
  return stats
}
