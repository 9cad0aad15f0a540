/** Messages between the main thread and the siting engine's worker thread (engine-worker.ts). */
import type { NetworkInput } from '../../domain/siting/network.js'
import { ROAD_CLASSES } from '../../domain/siting/speeds.js'
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

/**
 * The network input as a few typed arrays, posted to the worker with their buffers transferred: a
 * province's roads as objects took a second or more to clone. Road r's coordinates are
 * coords[roadStart[r]..roadStart[r + 1]] (flat lon,lat), river i's riverCoords[riverStart[i]..riverStart[i + 1]].
 */
export interface PackedNetwork {
  ids: Int32Array
  sources: Int32Array
  targets: Int32Array
  lengthM: Float64Array
  /** Index into ROAD_CLASSES. */
  cls: Uint8Array
  roadStart: Int32Array
  coords: Float64Array
  riverStart: Int32Array
  riverCoords: Float64Array
}

function flatten(lines: readonly ArrayLike<number>[]): { start: Int32Array; coords: Float64Array } {
  const start = new Int32Array(lines.length + 1)
  lines.forEach((l, i) => (start[i + 1] = start[i]! + l.length))
  const coords = new Float64Array(start[lines.length]!)
  lines.forEach((l, i) => coords.set(l, start[i]!))
  return { start, coords }
}

export function packNetwork(input: NetworkInput): PackedNetwork {
  const roads = flatten(input.roads.map((r) => r.coords))
  const rivers = flatten(input.rivers)
  return {
    ids: Int32Array.from(input.roads, (r) => r.id),
    sources: Int32Array.from(input.roads, (r) => r.source),
    targets: Int32Array.from(input.roads, (r) => r.target),
    lengthM: Float64Array.from(input.roads, (r) => r.lengthM),
    cls: Uint8Array.from(input.roads, (r) => ROAD_CLASSES.indexOf(r.cls)),
    roadStart: roads.start,
    coords: roads.coords,
    riverStart: rivers.start,
    riverCoords: rivers.coords,
  }
}

/** The buffers to transfer with a packed network. */
export const packedBuffers = (p: PackedNetwork): ArrayBuffer[] =>
  [p.ids, p.sources, p.targets, p.lengthM, p.cls, p.roadStart, p.coords, p.riverStart, p.riverCoords].map((a) => a.buffer as ArrayBuffer)

/** The network input again, its coordinates views on the packed arrays (nothing copied). */
export function unpackNetwork(p: PackedNetwork): NetworkInput {
  return {
    roads: Array.from(p.ids, (id, r) => ({
      id,
      cls: ROAD_CLASSES[p.cls[r]!]!,
      source: p.sources[r]!,
      target: p.targets[r]!,
      lengthM: p.lengthM[r]!,
      coords: p.coords.subarray(p.roadStart[r]!, p.roadStart[r + 1]!),
    })),
    rivers: Array.from({ length: p.riverStart.length - 1 }, (_, i) => p.riverCoords.subarray(p.riverStart[i]!, p.riverStart[i + 1]!)),
  }
}

export interface EngineRequest {
  id: number
  /** The network's version; `network` is sent when the worker may not have it yet. */
  version: string
  network?: PackedNetwork
  demPath: string
  job: EngineJob
}

export type EngineReply = { id: number; ok: true; result: unknown; needNetwork?: false } | { id: number; ok: false; message: string; needNetwork?: boolean }
