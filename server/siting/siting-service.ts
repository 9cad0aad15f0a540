/**
 * The siting capability's shared state: the engine's worker, the road network's version (from the
 * data versions that triggers bump), and the stored accessibility, recomputed when the roads, the
 * facilities, the divisions or the households it was computed from have changed.
 */
import type { Db, Queryable } from '../db/types.js'
import type { NetworkInput, RoadInput } from '../../domain/siting/network.js'
import type { RoadClass } from '../../domain/siting/speeds.js'
import { terrainPath } from '../../geodata/terrain-format.js'
import { EnginePool } from './engine-pool.js'
import { FACILITY_KINDS, type AccessAnswer, type EngineJob, type FacilityKind } from './engine-protocol.js'
import * as Q from './siting-queries.js'

export interface AccessResult {
  households: number
  elapsedMs: number
  /** Milliseconds of the parts (see computeAccessibility; read and network overlap). */
  phases: { read: number; network: number; households: number; write: number }
}

/** GET /api/health's view of the stored accessibility (domain/schemas/health.ts). */
export interface AccessStatus {
  /** computing: under way; none: never computed; stale: the data changed since (a recomputation follows); fresh. */
  state: 'computing' | 'none' | 'stale' | 'fresh'
  since?: string | null
  step?: 'network' | 'households' | 'write'
  done?: number
  total?: number
  computedAt: string | null
  households: number | null
  elapsedMs: number | null
  lastFailedAt: string | null
}

export interface AccessProgress {
  (step: 'network' | 'households' | 'write', done: number, total: number): void
}

/** The flat lon,lat pairs of a WKB LineString (2D, either byte order). */
export function wkbLine(wkb: Uint8Array): number[] {
  const view = new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength)
  const little = view.getUint8(0) === 1
  const type = view.getUint32(1, little)
  if (type !== 2) throw new Error(`siting: expected a 2D WKB LineString, got type ${type}`)
  const n = view.getUint32(5, little)
  const out = new Array<number>(2 * n)
  for (let i = 0; i < 2 * n; i++) out[i] = view.getFloat64(9 + 8 * i, little)
  return out
}

export class SitingService {
  readonly pool: EnginePool
  private computing: Promise<{ households: number; elapsedMs: number }> | undefined
  /** The computation under way: when it started and its last progress. */
  private started: Date | undefined
  private step: { step: 'network' | 'households' | 'write'; done: number; total: number } | undefined
  /** When the last computation failed (cleared by one that succeeds). */
  private failedAt: Date | undefined
  private watcher: NodeJS.Timeout | undefined
  private closed = false

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
    const roads = (await this.db.query<{ id: number; class: RoadClass; source: number; target: number; lengthM: number; geom: Uint8Array }>(Q.ROADS)).rows
    const rivers = (await this.db.query<{ geom: Uint8Array }>(Q.RIVERS)).rows
    return {
      roads: roads.map((r): RoadInput => ({ id: r.id, cls: r.class, source: r.source, target: r.target, lengthM: r.lengthM, coords: wkbLine(r.geom) })),
      rivers: rivers.map((r) => wkbLine(r.geom)),
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

  /**
   * Recomputes the stored accessibility when stale, only the changed households when only they changed
   * (one computation at a time: a caller arriving meanwhile waits for the one under way). Answers what
   * was computed, nothing when it was fresh.
   */
  async ensureAccessibility(progress?: AccessProgress): Promise<{ households: number; elapsedMs: number } | undefined> {
    const how = await this.staleness()
    if (how === 'fresh') return undefined
    if (!this.computing) {
      this.started = new Date()
      const track: AccessProgress = (step, done, total) => {
        this.step = { step, done, total }
        progress?.(step, done, total)
      }
      this.computing = (how === 'households' ? this.computeChangedHouseholds() : this.computeAccessibility(track))
        .then(
          (r) => ((this.failedAt = undefined), r),
          (err: unknown) => {
            this.failedAt = new Date()
            throw err
          },
        )
        .finally(() => {
          this.computing = undefined
          this.step = undefined
          this.started = undefined
        })
    }
    return this.computing
  }

  /**
   * Keeps the stored accessibility fresh off the request path: computes it now when stale (the first
   * start after a demo load), then checks the data versions every `intervalMs` and recomputes when roads,
   * facilities, divisions or households changed (a load, an import, a registry edit). The graph work runs
   * on the engine's worker thread; the reads and writes are asynchronous database calls.
   */
  watch(intervalMs: number, on: { done?: (r: { households: number; elapsedMs: number }) => void; error: (err: unknown) => void }): void {
    if (this.watcher || this.closed) return
    const tick = () => {
      if (this.computing || this.closed) return
      this.ensureAccessibility().then((r) => r && on.done?.(r), on.error)
    }
    this.watcher = setInterval(tick, intervalMs)
    this.watcher.unref()
    tick()
  }

  /** Where the stored accessibility stands, for GET /api/health (no error text: health is public). */
  async status(): Promise<AccessStatus> {
    const state = (await this.db.query<{ households: number; elapsedMs: number; computedAt: Date | string }>(Q.READ_STATE)).rows[0]
    const last = {
      computedAt: state ? new Date(state.computedAt).toISOString() : null,
      households: state?.households ?? null,
      elapsedMs: state?.elapsedMs ?? null,
      lastFailedAt: this.failedAt?.toISOString() ?? null,
    }
    if (this.computing) return { state: 'computing', since: this.started?.toISOString() ?? null, ...(this.step ?? {}), ...last }
    if (!state) return { state: 'none', ...last }
    return { state: (await this.staleness()) === 'fresh' ? 'fresh' : 'stale', ...last }
  }

  /**
   * For a request: waits when nothing was ever computed (joining the start-up's computation, see watch);
   * otherwise answers from the last computation and refreshes a stale one in the background (a full
   * computation takes 10–20 s for the demo data on a busy machine). Background failures go to `onError`.
   */
  async forRequest(onError: (err: unknown) => void): Promise<void> {
    const state = (await this.db.query(Q.READ_STATE)).rows[0]
    if (!state) {
      await this.ensureAccessibility()
      return
    }
    this.ensureAccessibility().catch(onError)
  }

  /** Travel times of the households added or moved since the last computation; rows of removed households go. */
  async computeChangedHouseholds(): Promise<{ households: number; elapsedMs: number }> {
    const started = Date.now()
    const versions = await this.versions()
    const rows = (await this.db.query<HouseholdPoint>(Q.CHANGED_HOUSEHOLDS)).rows
    const answer = rows.length ? await this.run<AccessAnswer>({ op: 'access', points: Float64Array.from(rows.flatMap((r) => [r.lon, r.lat])), facilities: await this.facilities() }) : undefined
    const year = (await this.db.query<{ year: number | null }>(Q.REGISTRY_YEAR)).rows[0]?.year ?? null
    await this.db.transaction(async (tx) => {
      await tx.query(Q.DROP_REMOVED)
      if (answer) await tx.query(Q.INSERT_HOUSEHOLD_ACCESS, householdParams(rows, answer))
      await tx.query(Q.INDICATOR_DEFS)
      await writeIndicators(tx, year)
      await tx.query(Q.SAVE_STATE, [JSON.stringify(versions), rows.length, Date.now() - started])
    })
    return { households: rows.length, elapsedMs: Date.now() - started }
  }

  /**
   * Travel times of every household and village seat to the nearest facility of each kind; stored in
   * household_access and village_access, and per village in indicator_value (choropleths, diagnosis).
   * `phases` says where the time went (ms): reading the points, the network (roads read, sent to the
   * worker and built there: only when its version is new to the worker), the households' job, the writes.
   */
  async computeAccessibility(progress?: AccessProgress): Promise<AccessResult> {
    const started = Date.now()
    const versions = await this.versions()
    progress?.('network', 0, 1)
    // Any job builds the network on the worker when its version is new there: an empty one starts that
    // while the points are read here.
    const tNet = Date.now()
    let networkMs = 0
    const built = this.run<Float32Array>({ op: 'slope', points: new Float64Array(0) }).then(() => void (networkMs = Date.now() - tNet))
    built.catch(() => undefined)
    const tRead = Date.now()
    const facilities = await this.facilities()
    const seats = (await this.db.query<{ code: string; lon: number; lat: number }>(Q.VILLAGE_SEATS_ALL)).rows
    const households = (await this.db.query<HouseholdPoint>(Q.HOUSEHOLD_POINTS)).rows
    const year = (await this.db.query<{ year: number | null }>(Q.REGISTRY_YEAR)).rows[0]?.year ?? null
    const readMs = Date.now() - tRead
    await built
    progress?.('network', 1, 1)
    // One job for the seats and every household: the facilities' searches run once.
    const located: readonly { lon: number; lat: number }[] = [...seats, ...households]
    const points = new Float64Array(2 * located.length)
    located.forEach((r, i) => {
      points[2 * i] = r.lon
      points[2 * i + 1] = r.lat
    })
    progress?.('households', 0, households.length)
    const tJob = Date.now()
    const all = await this.run<AccessAnswer>({ op: 'access', points, facilities })
    const jobMs = Date.now() - tJob
    progress?.('households', households.length, households.length)
    const tWrite = Date.now()
    const s = seats.length
    await this.db.transaction(async (tx) => {
      await tx.query(Q.CLEAR_ACCESS)
      await tx.query(Q.INSERT_VILLAGE_ACCESS, [
        seats.map((r) => r.code),
        Array.from(all.node.subarray(0, s), (n) => (n < 0 ? null : n)),
        Array.from(all.walkS.subarray(0, s), walkText),
        ...all.minutes.map((m) => Array.from(m.subarray(0, s), minutesText)),
      ])
      await tx.copyFrom('household_access', Q.HOUSEHOLD_ACCESS_COLUMNS, householdCsv(households, all, s, (done) => progress?.('write', done, households.length)))
      await tx.query(Q.INDICATOR_DEFS)
      await writeIndicators(tx, year)
      await tx.query(Q.SAVE_STATE, [JSON.stringify(versions), households.length, Date.now() - started])
    })
    const writeMs = Date.now() - tWrite
    return { households: households.length, elapsedMs: Date.now() - started, phases: { read: readMs, network: networkMs, households: jobMs, write: writeMs } }
  }

  /** Stops the worker; a computation under way ends (failing, or finishing its database writes) before this resolves. */
  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.watcher)
    const running = this.computing
    await this.pool.close()
    await running?.catch(() => {})
  }
}

/**
 * Stored precision: minutes to 0.01 (0.6 s), walks to 0.1 s — far finer than the road speeds behind them,
 * and as text much shorter and quicker to print than a float32's full digits (COPY of 200k households).
 * Every path writes through these, so a household's row is the same whichever path computed it.
 */
const minutesText = (v: number) => (Number.isNaN(v) ? null : v.toFixed(2))
const walkText = (v: number) => (Number.isNaN(v) ? null : v.toFixed(1))

/** The access indicators of the villages from the stored times (none without a registry year). */
async function writeIndicators(tx: Queryable, year: number | null): Promise<void> {
  if (year === null) {
    await tx.query(Q.DELETE_INDICATORS)
    return
  }
  const [create, fill, prune, upsert] = Q.WRITE_INDICATORS
  await tx.query(create)
  await tx.query(fill)
  await tx.query(prune, [year])
  await tx.query(upsert, [year])
}

interface HouseholdPoint {
  id: string
  villageCode: string
  lon: number
  lat: number
}

/**
 * household_access rows as CSV for COPY (HOUSEHOLD_ACCESS_COLUMNS; an empty field is NULL), the answer's
 * rows from `offset` on, in chunks.
 */
function* householdCsv(rows: readonly HouseholdPoint[], a: AccessAnswer, offset: number, done: (n: number) => void): Generator<string> {
  const CHUNK = 20_000
  for (let from = 0; from < rows.length; from += CHUNK) {
    const lines: string[] = []
    for (let i = from; i < Math.min(rows.length, from + CHUNK); i++) {
      const r = rows[i]!
      const k = offset + i
      const node = a.node[k]!
      let line = `${r.id},${r.villageCode},${node < 0 ? '' : node},${walkText(a.walkS[k]!) ?? ''}`
      for (const m of a.minutes) line += `,${minutesText(m[k]!) ?? ''}`
      lines.push(`${line},${r.lon},${r.lat}\n`)
    }
    yield lines.join('')
    done(Math.min(rows.length, from + CHUNK))
  }
}

/** The bind parameters of INSERT_HOUSEHOLD_ACCESS for households and their answer. */
function householdParams(rows: readonly { id: string; villageCode: string; lon: number; lat: number }[], h: AccessAnswer): unknown[] {
  return [
    rows.map((r) => r.id),
    rows.map((r) => r.villageCode),
    Array.from(h.node, (n) => (n < 0 ? null : n)),
    Array.from(h.walkS, walkText),
    ...h.minutes.map((m) => Array.from(m, minutesText)),
    rows.map((r) => r.lon),
    rows.map((r) => r.lat),
  ]
}
