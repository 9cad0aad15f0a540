/**
 * The siting capability's shared state: the engine's worker, the road network's version (from the
 * data versions that triggers bump), and the stored accessibility, recomputed when the roads, the
 * facilities, the divisions or the households it was computed from have changed.
 */
import type { Db } from '../db/types.js'
import type { NetworkInput, RoadInput } from '../../domain/siting/network.js'
import type { RoadClass } from '../../domain/siting/speeds.js'
import { terrainPath } from '../../geodata/terrain-format.js'
import { EnginePool } from './engine-pool.js'
import { FACILITY_KINDS, type AccessAnswer, type EngineJob, type FacilityKind } from './engine-protocol.js'
import * as Q from './siting-queries.js'

export interface AccessProgress {
  (step: 'network' | 'households' | 'write', done: number, total: number): void
}

const flat = (geojson: string): number[] => (JSON.parse(geojson) as { coordinates: number[][] }).coordinates.flat()

export class SitingService {
  readonly pool: EnginePool
  private computing: Promise<void> | undefined

  constructor(
    /** The owner's connection: roads and facilities are public, the accessibility job writes as the owner. */
    readonly db: Db,
    dataDir: string,
  ) {
    this.pool = new EnginePool(terrainPath(dataDir))
  }

  async versions(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ layer: string; version: string }>(Q.DATA_VERSIONS)
    return Object.fromEntries(rows.map((r) => [r.layer, Number(r.version)]))
  }

  /** The network's version: roads (edges) and water (rivers). */
  async networkVersion(): Promise<string> {
    const v = await this.versions()
    return `roads:${v.roads}/water:${v.water}`
  }

  async networkInput(): Promise<NetworkInput> {
    const roads = (await this.db.query<{ id: number; class: RoadClass; source: number; target: number; lengthM: number; geom: string }>(Q.ROADS)).rows
    const rivers = (await this.db.query<{ geom: string }>(Q.RIVERS)).rows
    return {
      roads: roads.map((r): RoadInput => ({ id: r.id, cls: r.class, source: r.source, target: r.target, lengthM: r.lengthM, coords: flat(r.geom) })),
      rivers: rivers.map((r) => flat(r.geom)),
    }
  }

  /** Runs a job on the current network (sent to the worker once per version). */
  async run<T>(job: EngineJob): Promise<T> {
    return this.pool.run<T>(await this.networkVersion(), () => this.networkInput(), job)
  }

  async facilities(): Promise<Record<FacilityKind, number[][]>> {
    const out = Object.fromEntries(FACILITY_KINDS.map((k) => [k, [] as number[][]])) as Record<FacilityKind, number[][]>
    for (const r of (await this.db.query<{ kind: FacilityKind; lon: number; lat: number }>(Q.FACILITIES)).rows) out[r.kind].push([r.lon, r.lat])
    return out
  }

  /**
   * How the stored accessibility stands against the data now: 'fresh'; 'households' when only the
   * registry changed (households added, moved or removed: recompute those); 'stale' otherwise.
   */
  async staleness(): Promise<'fresh' | 'households' | 'stale'> {
    const state = (await this.db.query<{ versions: Record<string, number> }>(Q.READ_STATE)).rows[0]
    if (!state) return 'stale'
    const now = await this.versions()
    const changed = Object.keys(now).filter((k) => state.versions[k] !== now[k])
    if (changed.length === 0) return 'fresh'
    return changed.every((k) => k === 'households') ? 'households' : 'stale'
  }

  async fresh(): Promise<boolean> {
    return (await this.staleness()) === 'fresh'
  }

  /** Recomputes the stored accessibility when stale, only the changed households when only they changed (one computation at a time). */
  async ensureAccessibility(progress?: AccessProgress): Promise<void> {
    const how = await this.staleness()
    if (how === 'fresh') return
    this.computing ??= (how === 'households' ? this.computeChangedHouseholds() : this.computeAccessibility(progress))
      .then(() => undefined)
      .finally(() => (this.computing = undefined))
    return this.computing
  }

  /**
   * For a request: waits when nothing was ever computed; otherwise answers from the last computation and
   * refreshes a stale one in the background (a full computation takes about a minute for the demo data,
   * longer than a request may wait). Background failures go to `onError`.
   */
  async forRequest(onError: (err: unknown) => void): Promise<void> {
    const state = (await this.db.query(Q.READ_STATE)).rows[0]
    if (!state) return this.ensureAccessibility()
    this.ensureAccessibility().catch(onError)
  }

  /** Travel times of the households added or moved since the last computation; rows of removed households go. */
  async computeChangedHouseholds(): Promise<{ households: number; elapsedMs: number }> {
    const started = Date.now()
    const versions = await this.versions()
    const rows = (await this.db.query<{ id: string; villageCode: string; lon: number; lat: number }>(Q.CHANGED_HOUSEHOLDS)).rows
    const answer = rows.length ? await this.run<AccessAnswer>({ op: 'access', points: Float64Array.from(rows.flatMap((r) => [r.lon, r.lat])), facilities: await this.facilities() }) : undefined
    const year = (await this.db.query<{ year: number | null }>(Q.REGISTRY_YEAR)).rows[0]?.year ?? null
    await this.db.transaction(async (tx) => {
      await tx.query(Q.DROP_REMOVED)
      if (answer) await tx.query(Q.INSERT_HOUSEHOLD_ACCESS, householdParams(rows, answer))
      await tx.query(Q.INDICATOR_DEFS)
      if (year !== null) await tx.query(Q.WRITE_INDICATORS, [year])
      await tx.query(Q.SAVE_STATE, [JSON.stringify(versions), rows.length, Date.now() - started])
    })
    return { households: rows.length, elapsedMs: Date.now() - started }
  }

  /**
   * Travel times of every household and village seat to the nearest facility of each kind; stored in
   * household_access and village_access, and per village in indicator_value (choropleths, diagnosis).
   */
  async computeAccessibility(progress?: AccessProgress): Promise<{ households: number; elapsedMs: number }> {
    const started = Date.now()
    const versions = await this.versions()
    progress?.('network', 0, 1)
    const facilities = await this.facilities()
    const households = (await this.db.query<{ id: string; villageCode: string; lon: number; lat: number }>(Q.HOUSEHOLD_POINTS)).rows
    const seats = (await this.db.query<{ code: string; lon: number; lat: number }>(Q.VILLAGE_SEATS_ALL)).rows
    const year = (await this.db.query<{ year: number | null }>(Q.REGISTRY_YEAR)).rows[0]?.year ?? null
    // One job for all households: the five facility searches run once (chunks only for the progress bar's sake cost them again).
    const chunk = 250_000
    const answers: AccessAnswer[] = []
    const points = (rows: { lon: number; lat: number }[]) => Float64Array.from(rows.flatMap((r) => [r.lon, r.lat]))
    // The first job builds the network on the worker (when its version is new there).
    answers.push(await this.run<AccessAnswer>({ op: 'access', points: points(seats), facilities }))
    progress?.('network', 1, 1)
    for (let i = 0; i < households.length; i += chunk) {
      answers.push(await this.run<AccessAnswer>({ op: 'access', points: points(households.slice(i, i + chunk)), facilities }))
      progress?.('households', Math.min(households.length, i + chunk), households.length)
    }
    await this.db.transaction(async (tx) => {
      await tx.query(Q.CLEAR_ACCESS)
      const s = answers[0]!
      await tx.query(Q.INSERT_VILLAGE_ACCESS, [
        seats.map((r) => r.code),
        Array.from(s.node, (n) => (n < 0 ? null : n)),
        Array.from(s.walkS, num),
        ...s.minutes.map((m) => Array.from(m, num)),
      ])
      for (let a = 1; a < answers.length; a++) {
        await tx.query(Q.INSERT_HOUSEHOLD_ACCESS, householdParams(households.slice((a - 1) * chunk, a * chunk), answers[a]!))
        progress?.('write', Math.min(households.length, a * chunk), households.length)
      }
      await tx.query(Q.INDICATOR_DEFS)
      await tx.query(Q.DELETE_INDICATORS)
      if (year !== null) await tx.query(Q.WRITE_INDICATORS, [year])
      await tx.query(Q.SAVE_STATE, [JSON.stringify(versions), households.length, Date.now() - started])
    })
    return { households: households.length, elapsedMs: Date.now() - started }
  }

  /** Stops the worker; a computation under way ends (failing, or finishing its database writes) before this resolves. */
  async close(): Promise<void> {
    const running = this.computing
    await this.pool.close()
    await running?.catch(() => {})
  }
}

const num = (v: number) => (Number.isNaN(v) ? null : v)

/** The bind parameters of INSERT_HOUSEHOLD_ACCESS for households and their answer. */
function householdParams(rows: readonly { id: string; villageCode: string; lon: number; lat: number }[], h: AccessAnswer): unknown[] {
  return [
    rows.map((r) => r.id),
    rows.map((r) => r.villageCode),
    Array.from(h.node, (n) => (n < 0 ? null : n)),
    Array.from(h.walkS, num),
    ...h.minutes.map((m) => Array.from(m, num)),
    rows.map((r) => r.lon),
    rows.map((r) => r.lat),
  ]
}
