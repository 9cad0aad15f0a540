/**
 * One siting run for a caller: candidates (given, village seats or a grid on buildable slope), the
 * area's demand read in the database on the caller's behalf (povmap_siting_demand: sums per access
 * node, never a household), the engine's answer, and the what-if on the AF measure. What it returns
 * holds counts and positions of sites only.
 */
import type { ScopedDb } from '../db/caller-transactions.js'
import type { Queryable } from '../db/types.js'
import { REGISTRY_ROLES } from '../../domain/roles.js'
import type { DemandGroup, Candidate } from '../../domain/siting/engine.js'
import type { SitingAnswer, SitingBody, SitingFacility } from '../../domain/siting/schemas.js'
import { removalMask, whatIf, type AfMeasure, type WhatIfGroup } from '../../domain/siting/what-if.js'
import { metresPerDegree } from '../../domain/siting/network.js'
import type { SiteAnswer } from './engine-protocol.js'
import type { SitingService } from './siting-service.js'
import * as Q from './siting-queries.js'

/** A request the route answers 400 (nothing has been written). */
export class SitingInputError extends Error {
  override name = 'SitingInputError'
}

/** assurance_gaps bit of the gap each facility closes (migration 0003). */
export const GAP_BIT: Readonly<Record<SitingFacility, number>> = { water: 16, school: 2, clinic: 4 }
/** Steepest ground a facility is built on (degrees) when candidates come from a grid. */
export const BUILDABLE_SLOPE_DEG = 25
/** At most this many grid candidates (the spacing grows to fit). */
export const GRID_MAX = 5000

export interface AreaRow {
  code: string
  level: string
  name: string
  west: number
  south: number
  east: number
  north: number
}

interface DemandRow {
  villageCode: string
  node: number | null
  walkS: number | null
  gaps: number
  afMask: number
  poor: boolean
  households: number
  people: number
}

export async function areaOf(tx: Queryable, code: string): Promise<AreaRow> {
  const area = (await tx.query<AreaRow>(Q.AREA, [code])).rows[0]
  if (!area) throw new SitingInputError(`area ${code} is not a division in your area`)
  return area
}

/** Indices of the points that lie in the area's outline. */
export async function pointsInArea(tx: Queryable, code: string, points: readonly Candidate[]): Promise<Set<number>> {
  const rows = (await tx.query<{ i: number }>(Q.POINTS_IN_AREA, [code, points.map((p) => p.lon), points.map((p) => p.lat)])).rows
  return new Set(rows.map((r) => r.i - 1))
}

export async function candidatesFor(service: SitingService, tx: Queryable, area: AreaRow, body: Pick<SitingBody, 'candidates' | 'candidateSource' | 'gridSpacingM'>): Promise<Candidate[]> {
  const c = await candidatePoints(tx, area, body)
  return c.grid ? buildable(service, c.points) : c.points
}

/**
 * The candidate points (given, village seats, or the grid over the outline before its slope filter,
 * grid true). Runs in the caller's transaction.
 */
export async function candidatePoints(tx: Queryable, area: AreaRow, body: Pick<SitingBody, 'candidates' | 'candidateSource' | 'gridSpacingM'>): Promise<{ points: Candidate[]; grid: boolean }> {
  const source = body.candidateSource ?? (body.candidates ? 'given' : 'villages')
  if (source === 'given') {
    if (!body.candidates?.length) throw new SitingInputError('candidateSource given needs candidates')
    const inside = await pointsInArea(tx, area.code, body.candidates)
    const outside = body.candidates.findIndex((_, i) => !inside.has(i))
    if (outside >= 0) throw new SitingInputError(`candidate ${outside} lies outside area ${area.code}`)
    return { points: body.candidates.map((c) => ({ lon: c.lon, lat: c.lat })), grid: false }
  }
  if (source === 'villages') return { points: (await tx.query<{ lon: number; lat: number }>(Q.VILLAGE_SEATS, [area.code])).rows.map((r) => ({ lon: r.lon, lat: r.lat })), grid: false }
  // A grid over the outline; buildable() keeps the points on slopes a works can be built on.
  const m = metresPerDegree((area.south + area.north) / 2)
  const wM = (area.east - area.west) * m.lon
  const hM = (area.north - area.south) * m.lat
  const spacing = Math.max(body.gridSpacingM ?? 0, Math.sqrt((wM * hM) / GRID_MAX), 100)
  const pts: Candidate[] = []
  for (let y = area.south + spacing / m.lat / 2; y < area.north; y += spacing / m.lat)
    for (let x = area.west + spacing / m.lon / 2; x < area.east; x += spacing / m.lon) pts.push({ lon: +x.toFixed(6), lat: +y.toFixed(6) })
  const inside = await pointsInArea(tx, area.code, pts)
  return { points: pts.filter((_, i) => inside.has(i)), grid: true }
}

/**
 * Grid points on buildable slope, by the engine's DEM. Never inside a transaction: the engine reads the
 * data versions on its own connection, and the embedded database's one connection would wait for itself.
 */
export async function buildable(service: SitingService, points: readonly Candidate[]): Promise<Candidate[]> {
  const slopes = await service.run<Float32Array>({ op: 'slope', points: Float64Array.from(points.flatMap((p) => [p.lon, p.lat])) })
  return points.filter((_, i) => slopes[i]! <= BUILDABLE_SLOPE_DEG).slice(0, GRID_MAX)
}

export async function planningYear(tx: Queryable, area: string, gapBit: number): Promise<number> {
  return (await tx.query<{ year: number | null }>(Q.PLANNING_YEAR, [area, gapBit])).rows[0]?.year ?? 2020
}

export async function afMeasure(tx: Queryable): Promise<AfMeasure> {
  const sc = (await tx.query<{ k: number; weights: Record<string, number> }>(Q.AF_DEFAULT)).rows[0]
  const inds = (await tx.query<{ code: string; bit: number }>(Q.AF_INDICATORS)).rows
  return { k: sc?.k ?? 1 / 3, indicators: inds.map((i) => ({ code: i.code, bit: i.bit, weight: Number(sc?.weights[i.code] ?? 0) })).filter((i) => i.weight > 0) }
}

/** Runs a siting for the caller; throws SitingInputError for a request to answer 400. */
/** The sites to choose: k, or fewer when a budget with a per-site cost buys fewer. */
export function sitesWanted(body: Pick<SitingBody, 'k' | 'budgetYuan' | 'siteCostYuan'>): number {
  if ((body.budgetYuan === undefined) !== (body.siteCostYuan === undefined)) throw new SitingInputError('budgetYuan and siteCostYuan go together')
  if (body.budgetYuan === undefined) return body.k
  const affordable = Math.floor(body.budgetYuan / body.siteCostYuan! + 1e-9)
  if (affordable < 1) throw new SitingInputError(`a budget of ${body.budgetYuan} yuan buys no site at ${body.siteCostYuan} yuan each`)
  return Math.min(body.k, affordable)
}

export async function runSiting(service: SitingService, db: ScopedDb, request: SitingBody, onError: (err: unknown) => void = () => {}): Promise<SitingAnswer> {
  const started = Date.now()
  const body = { ...request, k: sitesWanted(request) }
  const aggregatesOnly = !REGISTRY_ROLES.includes(db.caller.role)
  const gapBit = body.gap ? GAP_BIT[body.facility] : 0
  const prep = await db.run(async (tx) => {
    const area = await areaOf(tx, body.area)
    return { area, ...(await candidatePoints(tx, area, body)) }
  })
  const { area } = prep
  const candidates = prep.grid ? await buildable(service, prep.points) : prep.points
  if (candidates.length === 0) throw new SitingInputError(`area ${body.area} yields no candidate sites`)
  if (body.k > candidates.length) throw new SitingInputError(`k = ${body.k} is more than the ${candidates.length} candidate sites`)
  await service.forRequest(onError)
  const pad = 0.3
  const data = await db.run(async (tx) => {
    const year = body.year ?? (await planningYear(tx, body.area, gapBit))
    const demand = (await tx.query<DemandRow>(Q.DEMAND, [body.area, year])).rows
    const existing = (await tx.query<Candidate>(Q.EXISTING[body.facility], [area.west - pad, area.south - pad, area.east + pad, area.north + pad])).rows
    const measure = await afMeasure(tx)
    const names = new Map((await tx.query<{ code: string; name: string }>(Q.NAMES, [[...new Set(demand.map((d) => d.villageCode)), ...new Set(demand.map((d) => d.villageCode.slice(0, 6)))]])).rows.map((r) => [r.code, r.name]))
    return { year, demand, existing, measure, names }
  })
  const { demand, existing, measure, names, year } = data
  const routable = demand.filter((d) => d.node !== null)
  const isTarget = (d: DemandRow) => d.poor && (gapBit === 0 || (d.gaps & gapBit) !== 0)
  const groups: DemandGroup[] = routable.map((d) => ({ node: d.node!, walkS: d.walkS ?? 0, people: d.people, households: d.households }))
  const target = Uint8Array.from(routable, (d) => (isTarget(d) ? 1 : 0))
  const ans = await service.run<SiteAnswer>({
    op: 'site',
    groups,
    target,
    candidates,
    existing,
    standardS: body.standardMinutes * 60,
    k: body.k,
    objective: body.objective,
    solver: body.solver ?? 'auto',
    polygons: body.k <= 20,
  })
  const total = demand.filter(isTarget).reduce((s, d) => s + d.households, 0)
  let covered = 0
  let coveredBefore = 0
  const perVillage = new Map<string, { total: number; covered: number }>()
  for (const d of demand.filter(isTarget)) {
    const v = perVillage.get(d.villageCode) ?? { total: 0, covered: 0 }
    v.total += d.households
    perVillage.set(d.villageCode, v)
  }
  routable.forEach((d, i) => {
    if (!target[i]) return
    const c = ans.coveredByNew[i] || ans.coveredByExisting[i]
    if (ans.coveredByExisting[i]) coveredBefore += d.households
    if (c) {
      covered += d.households
      perVillage.get(d.villageCode)!.covered += d.households
    }
  })
  const small = (n: number) => (aggregatesOnly && n > 0 && n < 3 ? null : n)
  const removes = removalMask(measure, body.facility)
  const wiGroups: WhatIfGroup[] = demand.map((d) => ({ village: d.villageCode, mask: d.afMask, people: d.people, removes: 0 }))
  let affectedHouseholds = 0
  // routable is a filter of demand in order: walk both together.
  let r = 0
  demand.forEach((d, i) => {
    if (d.node === null) return
    if (ans.coveredByNew[r] && (d.afMask & removes) !== 0) {
      wiGroups[i]!.removes = removes
      affectedHouseholds += d.households
    }
    r++
  })
  const wi = whatIf(measure, wiGroups)
  const named = <T extends { code: string }>(row: T) => ({ ...row, name: names.get(row.code) ?? area.name })
  return {
    sites: ans.sites.map((j, rank) => ({ lon: candidates[j]!.lon, lat: candidates[j]!.lat, covered: ans.siteHouseholds[rank]!, gain: ans.gains[rank]!, rank: rank + 1 })),
    covered,
    total,
    coveredBefore,
    solver: ans.solver,
    elapsedMs: Date.now() - started,
    year,
    candidates: candidates.length,
    existing: existing.length,
    greedyValue: ans.greedyValue,
    exactValue: ans.exactValue,
    coverage: {
      type: 'FeatureCollection',
      features: ans.polygons.map((p, i) => ({ type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: p.polygons }, properties: { rank: i + 1, minutes: p.minutes } })),
    },
    villages: [...perVillage.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([code, v]) => ({ code, name: names.get(code) ?? code, total: small(v.total), covered: small(v.covered) })),
    whatIf: {
      removes: measure.indicators.filter((i) => (removes & (1 << i.bit)) !== 0).map((i) => i.code),
      households: affectedHouseholds,
      villages: wi.villages.map(named),
      counties: wi.counties.map(named),
      total: { ...wi.total, code: area.code, name: area.name },
    },
  }
}
