import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FeatureCollection, MultiPolygon } from 'geojson'
import { ADMIN_LEVELS, type AdminLevel } from '../../../domain/admin-codes.js'

/** One row of geodata/sources/hunan-divisions.json (NBS 2023). */
export interface DivisionRecord {
  code: string
  name: string
  level: AdminLevel
  parent: string | null
}

export interface CountyProperties {
  /** Current NBS code (renamed counties already re-coded, see RECONCILIATION.md). */
  code: string
  name: string
}

export type CountyCollection = FeatureCollection<MultiPolygon, CountyProperties>

/** A development or management zone without an outline of its own (reconciliation.json). */
export interface ZoneRecord {
  code: string
  name: string
  /** County whose outline holds the zone's townships. */
  boundaryParent: string
  boundaryParentName: string
  townships: string[]
  /** Approximate point (±a few km) inside the zone, checked to lie inside the parent outline. */
  probe: [number, number]
  note: string
}

export interface Reconciliation {
  boundarySource: string
  divisionSource: string
  zones: ZoneRecord[]
}

export interface PartitionSources {
  divisions: DivisionRecord[]
  counties: CountyCollection
  reconciliation: Reconciliation
}

/** Reads the three source files; `dir` is resolved against the working directory (the repo root). */
export function readSources(dir = 'geodata/sources'): PartitionSources {
  const read = (file: string): unknown => {
    try {
      return JSON.parse(readFileSync(join(dir, file), 'utf8'))
    } catch (cause) {
      throw new Error(`Unable to read source ${file} from ${dir}`, { cause })
    }
  }
  const divisionsFile = read('hunan-divisions.json') as { divisions?: unknown }
  const counties = read('hunan-counties.geojson') as CountyCollection
  const reconciliation = read('reconciliation.json') as Reconciliation
  if (!Array.isArray(divisionsFile.divisions)) throw new Error('hunan-divisions.json: no divisions array')
  if (counties.type !== 'FeatureCollection' || !Array.isArray(counties.features)) {
    throw new Error('hunan-counties.geojson: not a FeatureCollection')
  }
  if (!Array.isArray(reconciliation.zones)) throw new Error('reconciliation.json: no zones array')
  const divisions = divisionsFile.divisions as DivisionRecord[]
  for (const d of divisions) {
    if (!ADMIN_LEVELS.includes(d.level)) throw new Error(`hunan-divisions.json: ${d.code} has level ${String(d.level)}`)
  }
  return { divisions, counties, reconciliation }
}
