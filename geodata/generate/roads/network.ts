/** The road network as built: its rows, nodes, and when each road and village road was paved. */
import { FIRST_YEAR } from '../../../domain/codes.js'
import type { RoadRow } from '../types.js'

export type RoadClass = RoadRow['class']

/** A hardened year at or before this means "paved before the registry began". */
export const PAVED_BEFORE_REGISTRY = FIRST_YEAR - 1

export interface RoadNetwork {
  rows: RoadRow[]
  /** Node ids run from 1 to nodeCount; nodePos[id] is the node's position (index 0 unused). */
  nodeCount: number
  nodePos: [number, number][]
  /** The graph node at the seat of each division that has a seat, by area code. */
  seatNode: Map<string, number>
  /** Year each road row was paved, by row id (PAVED_BEFORE_REGISTRY for the existing network). */
  hardenedYear: Map<number, number>
  /** Year each village's road to its township seat was paved (PAVED_BEFORE_REGISTRY if before 2014). */
  villageHardenedYear: Map<string, number>
  /** The rows that make up each village's road, in order from the village seat. */
  villageRoadIds: Map<string, number[]>
}

export interface Edge {
  a: number
  b: number
  cls: RoadClass
  name: string | null
  hardened: number
  village: string | null
  coords: [number, number][]
}

/** Village codes whose road to the township seat was not yet paved in `year`. */
export function villagesWithoutHardenedRoad(net: RoadNetwork, year: number): string[] {
  const out: string[] = []
  for (const [code, y] of net.villageHardenedYear) if (y > year) out.push(code)
  return out
}

/** Whether the road row was paved in `year`. */
export function isHardened(net: RoadNetwork, roadId: number, year: number): boolean {
  return (net.hardenedYear.get(roadId) ?? PAVED_BEFORE_REGISTRY) <= year
}
