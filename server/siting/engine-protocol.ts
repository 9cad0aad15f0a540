/** Messages between the main thread and the siting engine's worker thread (engine-worker.ts). */
import type { NetworkInput } from '../../domain/siting/network.js'
import type { Candidate, DemandGroup, Mode, IsochroneBand } from '../../domain/siting/engine.js'

export const FACILITY_KINDS = ['school', 'clinic', 'township', 'county', 'water'] as const
export type FacilityKind = (typeof FACILITY_KINDS)[number]

export interface AccessJob {
  op: 'access'
  /** Flat lon,lat pairs. */
  points: Float64Array
  facilities: Record<FacilityKind, number[][]>
}
export interface AccessAnswer {
  /** Road node id per point (-1: none within reach). */
  node: Int32Array
  walkS: Float32Array
  /** minutes[k][p] for FACILITY_KINDS[k] (NaN: unreachable). */
  minutes: Float32Array[]
}

export interface IsochroneJob {
  op: 'isochrone'
  lon: number
  lat: number
  minutes: number[]
  mode: Mode
}

export interface SiteJob {
  op: 'site'
  groups: DemandGroup[]
  /** Whether each group counts in the objective (poor, with the matching gap when asked). */
  target: Uint8Array
  candidates: Candidate[]
  existing: Candidate[]
  standardS: number
  k: number
  objective: 'coverage' | 'p-median'
  solver: 'auto' | 'greedy' | 'exact'
  /** Draw each site's coverage polygon at the standard. */
  polygons: boolean
}
export interface SiteAnswer {
  /** Candidate indices, best first. */
  sites: number[]
  /** People each site adds after the ones before it (coverage), or seconds·people saved (p-median). */
  gains: number[]
  /** Target households within the standard of each site (alone). */
  siteHouseholds: number[]
  /** Groups within the standard of a chosen site (all groups, for the what-if). */
  coveredByNew: Uint8Array
  /** Groups within the standard of an existing facility. */
  coveredByExisting: Uint8Array
  solver: string
  /** Exact optimum of the objective when the exact solver ran (for the record). */
  exactValue: number | null
  greedyValue: number
  polygons: IsochroneBand[]
  candidatesUsed: number
}

export interface SlopeJob {
  op: 'slope'
  /** Flat lon,lat pairs; answers the DEM slope in degrees of each. */
  points: Float64Array
}

export interface LinksJob {
  op: 'links'
  /** Candidate links: from and to as lon/lat, class village. */
  links: { from: number[]; to: number[] }[]
  groups: DemandGroup[]
  /** Township seat of each group (lon/lat), by group index. */
  seats: number[][]
  target: Uint8Array
}
export interface LinksAnswer {
  /** Per link: poor households' total minutes saved to their township seat, and the link's km. */
  savedMinutes: number[]
  km: number[]
  households: number[]
}

export type EngineJob = AccessJob | IsochroneJob | SiteJob | SlopeJob | LinksJob

export interface EngineRequest {
  id: number
  /** The network's version; `network` is sent when the worker may not have it yet. */
  version: string
  network?: NetworkInput
  demPath: string
  job: EngineJob
}

export type EngineReply = { id: number; ok: true; result: unknown; needNetwork?: false } | { id: number; ok: false; message: string; needNetwork?: boolean }
