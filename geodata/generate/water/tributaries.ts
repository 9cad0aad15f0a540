import type { Terrain } from '../../terrain-format.js'
import { profileMaxRise, type LonLat, type MainRiverCourse } from '../terrain/index.js'
import { Sink, type Flow } from './flow.js'
import { cellCentre, distanceM, lineLengthKm, nearestOnSegment, round6, segmentDistance } from './measure.js'

/** Drainage area where a stream begins (a channel head). */
const CHANNEL_AREA_KM2 = 15
/** Drainage area a stream needs at its mouth to be kept: a few hundred streams over the province. */
const TRIBUTARY_MOUTH_AREA_KM2 = 150
/** Shorter simplified lines are dropped. */
const MIN_TRIBUTARY_LENGTH_KM = 6
/** Share of a stream's cells that must lie inside Hunan. */
const MIN_SHARE_IN_PROVINCE = 0.5
/** Planar tolerance of the simplification, in cells. */
const SIMPLIFY_TOLERANCE_CELLS = 0.7
/** How far a stream's last cell may be from the line it joins for the junction to be snapped. */
const SNAP_MAX_M = 1500
/** Rounding noise allowed when checking that a line never climbs, metres. */
const RISE_EPSILON_M = 1e-6

export interface Tributary {
  /** Simplified line, source to mouth. */
  line: LonLat[]
  /** Strahler order at the mouth (channel network from CHANNEL_AREA_KM2). */
  order: number
  /** Raw flow path, source to the cell where it joins. */
  cells: number[]
}

interface StreamPath {
  cells: number[]
  /** Cell past the last own cell: on a bigger stream, a main river floor, the lake or the edge. */
  mouth: number
  head: number
}

/**
 * Hack's decomposition of the channel network: at every junction the branch with the larger area
 * carries on and the others end there. Each channel head thus starts one stream.
 */
export function extractTributaries(terrain: Terrain, flow: Flow, courses: MainRiverCourse[]): Tributary[] {
  const { grid, parent, order, cells, sink, inProvince } = flow
  const n = grid.width * grid.height
  const channelCells = Math.ceil(CHANNEL_AREA_KM2 / flow.cellAreaKm2)
  const isChannel = (c: number) => sink[c] === Sink.None && cells[c]! >= channelCells

  // Upstream first: Strahler order, the main (largest) upstream branch, and channel heads.
  const strahler = new Uint8Array(n)
  const topOrder = new Uint8Array(n)
  const topCount = new Uint8Array(n)
  const mainBranch = new Int32Array(n).fill(-1)
  const hasChannelAbove = new Uint8Array(n)
  for (let j = n - 1; j >= 0; j--) {
    const c = order[j]!
    if (!isChannel(c)) continue
    strahler[c] = topOrder[c] === 0 ? 1 : topCount[c]! >= 2 ? topOrder[c]! + 1 : topOrder[c]!
    const p = parent[c]!
    if (p < 0) continue
    hasChannelAbove[p] = 1
    if (strahler[c]! > topOrder[p]!) {
      topOrder[p] = strahler[c]!
      topCount[p] = 1
    } else if (strahler[c] === topOrder[p]) topCount[p] = topCount[p]! + 1
    const best = mainBranch[p]!
    if (best < 0 || cells[c]! > cells[best]! || (cells[c] === cells[best] && c < best)) mainBranch[p] = c
  }

  const paths: StreamPath[] = []
  const streamOfCell = new Int32Array(n).fill(-1)
  for (let head = 0; head < n; head++) {
    if (!isChannel(head) || hasChannelAbove[head]) continue
    const path: number[] = []
    let c = head
    let mouth = -1
    for (;;) {
      path.push(c)
      streamOfCell[c] = paths.length
      const p = parent[c]!
      if (p < 0) break // an isolated sink cell; cannot happen for a channel cell
      if (sink[p] !== Sink.None || mainBranch[p] !== c) {
        mouth = p
        break
      }
      c = p
    }
    paths.push({ cells: path, mouth, head })
  }

  // Biggest first, so that the stream a tributary joins is decided (kept or dropped) before it.
  const mouthCells = Math.ceil(TRIBUTARY_MOUTH_AREA_KM2 / flow.cellAreaKm2)
  const candidates = paths
    .map((path, index) => ({ path, index, area: cells[path.cells[path.cells.length - 1]!]! }))
    .filter((p) => p.area >= mouthCells && p.path.mouth >= 0 && sink[p.path.mouth] !== Sink.Edge)
    .sort((a, b) => b.area - a.area || a.path.head - b.path.head)

  const kept = new Map<number, Tributary>()
  const result: Tributary[] = []
  for (const { path, index } of candidates) {
    const target = sink[path.mouth] === Sink.None ? streamOfCell[path.mouth]! : -1
    if (sink[path.mouth] === Sink.None && !kept.has(target)) continue
    let inside = 0
    for (const c of path.cells) inside += inProvince[c]!
    if (inside < MIN_SHARE_IN_PROVINCE * path.cells.length) continue

    const raw = [...path.cells, path.mouth].map((c) => cellCentre(grid, c))
    const line = simplifyDownhill(terrain, raw, SIMPLIFY_TOLERANCE_CELLS * grid.cellDeg)
    const joined = sink[path.mouth] === Sink.Lake ? null : sink[path.mouth] === Sink.MainRiver ? courseLines(courses) : [kept.get(target)!.line]
    if (joined) snapMouth(terrain, line, joined)
    if (lineLengthKm(line) < MIN_TRIBUTARY_LENGTH_KM) continue
    if (profileMaxRise(terrain, line) > RISE_EPSILON_M) continue // never expected; the check keeps the promise
    const tributary: Tributary = { line, order: strahler[path.cells[path.cells.length - 1]!]!, cells: path.cells }
    kept.set(index, tributary)
    result.push(tributary)
  }
  return result
}

function courseLines(courses: MainRiverCourse[]): LonLat[][] {
  return courses.map((c) => c.coords)
}

/**
 * Douglas–Peucker that also keeps a vertex wherever dropping it would make the shortcut climb
 * anywhere over the bilinear DEM. The raw path steps between edge-adjacent cell centres, where the
 * surface is linear and never rises, so the recursion always ends with a non-rising line.
 */
function simplifyDownhill(terrain: Terrain, line: LonLat[], toleranceDeg: number): LonLat[] {
  const keep = new Uint8Array(line.length)
  keep[0] = 1
  keep[line.length - 1] = 1
  const stack: [number, number][] = [[0, line.length - 1]]
  while (stack.length > 0) {
    const [i, j] = stack.pop()!
    if (j - i < 2) continue
    const a = line[i]!
    const b = line[j]!
    const kx = Math.cos((((a[1] + b[1]) / 2) * Math.PI) / 180)
    let worst = -1
    let worstDist = -1
    for (let k = i + 1; k < j; k++) {
      const d = segmentDistance(line[k]!, a, b, kx)
      if (d > worstDist) {
        worstDist = d
        worst = k
      }
    }
    if (worstDist > toleranceDeg || profileMaxRise(terrain, [a, b]) > RISE_EPSILON_M) {
      keep[worst] = 1
      stack.push([i, worst], [worst, j])
    }
  }
  return line.filter((_, k) => keep[k])
}

/**
 * Replaces the mouth cell's centre by the nearest point on the line joined, where that is close and
 * the last step stays non-rising, so the tributary visibly touches its river.
 */
function snapMouth(terrain: Terrain, line: LonLat[], joined: LonLat[][]): void {
  const mouth = line[line.length - 1]!
  const before = line[line.length - 2]!
  let best: LonLat | null = null
  let bestM = SNAP_MAX_M
  for (const other of joined) {
    for (let k = 0; k + 1 < other.length; k++) {
      const foot = nearestOnSegment(mouth, other[k]!, other[k + 1]!)
      const d = distanceM(mouth, foot)
      if (d < bestM) {
        bestM = d
        best = foot
      }
    }
  }
  if (!best) return
  const snapped: LonLat = [round6(best[0]), round6(best[1])]
  if (profileMaxRise(terrain, [before, snapped]) > RISE_EPSILON_M) return
  line[line.length - 1] = snapped
}
