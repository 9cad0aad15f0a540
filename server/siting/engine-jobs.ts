/** The jobs of the siting engine, on a built network (run by engine-worker.ts; tests call them directly). */
import { dijkstra } from '../../domain/siting/graph.js'
import { coverInstance, facilitySources, isochrone, medianInstance, nodeIndexOf, type DemandGroup } from '../../domain/siting/engine.js'
import { greedyCover, swapImprove, coverLp, coverValue, marginalGains } from '../../domain/siting/covering.js'
import { greedyMedian, swapMedian } from '../../domain/siting/p-median.js'
import { distanceM, snap, type Network } from '../../domain/siting/network.js'
import { driveSeconds } from '../../domain/siting/speeds.js'
import { FACILITY_KINDS, type AccessAnswer, type EngineJob, type LinksAnswer, type LinksJob, type SiteAnswer, type SiteJob } from './engine-protocol.js'
import { solveLp } from './milp.js'

/** Largest covering instance handed to the exact solver by `auto` (candidates × target groups). */
export const EXACT_LIMIT = { candidates: 400, groups: 4000 }

export async function runJob(net: Network, slope: (lon: number, lat: number) => number, job: EngineJob): Promise<unknown> {
  switch (job.op) {
    case 'access':
      return accessJob(net, job.points, job.facilities)
    case 'isochrone':
      return isochrone(net, job.lon, job.lat, job.minutes, job.mode)
    case 'site':
      return siteJob(net, job)
    case 'slope':
      return Float32Array.from({ length: job.points.length / 2 }, (_, i) => slope(job.points[2 * i]!, job.points[2 * i + 1]!))
    case 'links':
      return linksJob(net, job)
  }
}

/** Travel times of points to the nearest facility of each kind: one multi-source search per kind, then each point's walk to the road. */
export function accessJob(net: Network, points: Float64Array, facilities: Record<string, number[][]>): AccessAnswer {
  const nodeTimes = FACILITY_KINDS.map((k) => dijkstra(net.drive, facilitySources(net, facilities[k] ?? [])))
  const n = Math.floor(points.length / 2)
  const node = new Int32Array(n)
  const walkS = new Float32Array(n)
  const minutes = FACILITY_KINDS.map(() => new Float32Array(n))
  for (let p = 0; p < n; p++) {
    const s = snap(net, points[2 * p]!, points[2 * p + 1]!, 'to')
    node[p] = s ? net.nodeIds[s.node]! : -1
    walkS[p] = s ? s.seconds : NaN
    for (let k = 0; k < minutes.length; k++) {
      const m = s ? (s.seconds + nodeTimes[k]![s.node]!) / 60 : Infinity
      minutes[k]![p] = Number.isFinite(m) ? m : NaN
    }
  }
  return { node, walkS, minutes }
}

export async function siteJob(net: Network, job: SiteJob): Promise<SiteAnswer> {
  const groups = job.groups.map((g, i) => (job.target[i] ? g : { ...g, people: 0 }))
  let candidates = job.candidates
  let sites: number[]
  let gains: number[]
  let solver = 'greedy+swap'
  let exactValue: number | null = null
  let greedyValue: number
  const deadline = Date.now() + 6000
  const inst = coverInstance(net, groups, candidates, job.existing, job.standardS)
  if (job.objective === 'coverage') {
    const greedy = greedyCover(inst.cover, job.k)
    greedyValue = greedy.value
    const swapped = swapImprove(inst.cover, padSites(greedy.sites, job.k, candidates.length), { deadline, now: Date.now })
    sites = swapped.sites
    gains = swapped.gains
    const targets = inst.cover.weights.length
    const small = candidates.length <= EXACT_LIMIT.candidates && targets <= EXACT_LIMIT.groups
    if (job.solver === 'exact' || (job.solver === 'auto' && small)) {
      const exact = await solveLp(coverLp(inst.cover, job.k))
      if (exact) {
        const chosen = candidates.map((_, j) => j).filter((j) => (exact.columns[`x${j}`] ?? 0) > 0.5)
        exactValue = coverValue(inst.cover, chosen)
        if (exactValue >= swapped.value - 1e-9) {
          const ranked = greedyCover({ weights: inst.cover.weights, covers: chosen.map((j) => inst.cover.covers[j]!) }, chosen.length)
          sites = ranked.sites.map((i) => chosen[i]!)
          for (const j of chosen) if (!sites.includes(j)) sites.push(j)
          gains = marginalGains(inst.cover, sites)
          solver = 'highs-milp'
        }
      }
    }
  } else {
    // p-median needs every group's time to every candidate: keep at most 1,500 candidates, evenly spread.
    if (candidates.length > 1500) {
      const step = candidates.length / 1500
      candidates = Array.from({ length: 1500 }, (_, i) => candidates[Math.floor(i * step)]!)
    }
    const mi = medianInstance(net, groups, candidates, job.existing)
    const greedy = greedyMedian(mi, job.k)
    greedyValue = greedy.cost
    const swapped = swapMedian(mi, padSites(greedy.sites, job.k, candidates.length), { deadline, now: Date.now, maxPasses: 2 })
    sites = swapped.sites
    gains = swapped.gains
    solver = 'greedy+swap (p-median)'
  }
  // Which groups the chosen sites reach within the standard (all groups: the what-if needs them).
  const chosenSources = sites.map((j) => snap(net, candidates[j]!.lon, candidates[j]!.lat, 'from')).filter((s) => s !== undefined).map((s) => ({ node: s.node, cost: s.seconds }))
  const dist = dijkstra(net.drive, chosenSources, job.standardS)
  const idx = nodeIndexOf(net)
  const within = (d: Float64Array, g: DemandGroup) => {
    const v = idx.get(g.node)
    return v !== undefined && d[v]! + g.walkS <= job.standardS
  }
  const coveredByNew = Uint8Array.from(job.groups, (g) => (within(dist, g) ? 1 : 0))
  const siteHouseholds = sites.map((j) => {
    const s = snap(net, candidates[j]!.lon, candidates[j]!.lat, 'from')
    if (!s) return 0
    const d = dijkstra(net.drive, [{ node: s.node, cost: s.seconds }], job.standardS)
    let n = 0
    job.groups.forEach((g, i) => {
      if (job.target[i] && !inst.alreadyCovered[i] && within(d, g)) n += g.households
    })
    return n
  })
  const polygons = job.polygons ? sites.map((j) => isochrone(net, candidates[j]!.lon, candidates[j]!.lat, [job.standardS / 60], 'drive')[0]!) : []
  return {
    sites: sites.map((j) => job.candidates.indexOf(candidates[j]!)),
    gains,
    siteHouseholds,
    coveredByNew,
    coveredByExisting: inst.alreadyCovered,
    solver,
    exactValue,
    greedyValue,
    polygons,
    candidatesUsed: candidates.length,
  }
}

/** Greedy may stop early when nothing more is gained: fill up to k with unused candidates so swaps can try them. */
function padSites(sites: number[], k: number, m: number): number[] {
  const out = [...sites]
  for (let j = 0; j < m && out.length < Math.min(k, m); j++) if (!out.includes(j)) out.push(j)
  return out
}

/** Village-road speed and a winding factor on the straight line for a new link. */
const LINK_WINDING = 1.3

export function linksJob(net: Network, job: LinksJob): LinksAnswer {
  const idx = nodeIndexOf(net)
  // Times from every node to each distinct township seat.
  const seatKey = (p: number[]) => `${p[0]},${p[1]}`
  const seatDist = new Map<string, Float64Array>()
  for (const s of job.seats) {
    const k = seatKey(s)
    if (!seatDist.has(k)) seatDist.set(k, dijkstra(net.drive, facilitySources(net, [s])))
  }
  const base = job.groups.map((g, i) => {
    const v = idx.get(g.node)
    return v === undefined ? Infinity : g.walkS + seatDist.get(seatKey(job.seats[i]!))![v]!
  })
  const savedMinutes: number[] = []
  const km: number[] = []
  const households: number[] = []
  for (const l of job.links) {
    const a = snap(net, l.from[0]!, l.from[1]!, 'to')
    const b = snap(net, l.to[0]!, l.to[1]!, 'to')
    const m = distanceM(l.from[0]!, l.from[1]!, l.to[0]!, l.to[1]!) * LINK_WINDING
    km.push(m / 1000)
    if (!a || !b) {
      savedMinutes.push(0)
      households.push(0)
      continue
    }
    const linkS = driveSeconds(m, 0, 'village') + a.seconds + b.seconds
    const fromA = dijkstra(net.drive, [{ node: a.node, cost: 0 }])
    const fromB = dijkstra(net.drive, [{ node: b.node, cost: 0 }])
    let saved = 0
    let n = 0
    job.groups.forEach((g, i) => {
      if (!job.target[i]) return
      const v = idx.get(g.node)
      if (v === undefined) return
      const ds = seatDist.get(seatKey(job.seats[i]!))!
      const via = Math.min(fromA[v]! + linkS + ds[b.node]!, fromB[v]! + linkS + ds[a.node]!) + g.walkS
      const before = base[i]!
      if (via < before) {
        saved += ((Number.isFinite(before) ? before : via + 3600) - via) * g.households
        n += g.households
      }
    })
    savedMinutes.push(saved / 60)
    households.push(n)
  }
  return { savedMinutes, km, households }
}
