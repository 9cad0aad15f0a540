/**
 * A directed graph in compressed sparse rows (arcs of node i at offsets[i]..offsets[i+1]), its
 * shortest paths by Dijkstra with a binary heap, and one-to-many from several sources at once (the
 * nearest facility of a kind). Pure: no runtime APIs, so the server's worker threads, the tests and
 * the benchmark share it.
 */

export interface Graph {
  /** Nodes 0..n-1. */
  n: number
  offsets: Int32Array
  targets: Int32Array
  /** Seconds of each arc. */
  costs: Float64Array
}

export interface Arc {
  from: number
  to: number
  cost: number
}

/** Builds the CSR form of a list of directed arcs (arcs of negative or non-finite cost are refused). */
export function graphFromArcs(n: number, arcs: readonly Arc[]): Graph {
  const offsets = new Int32Array(n + 1)
  for (const a of arcs) {
    if (!(a.cost >= 0) || !Number.isFinite(a.cost)) throw new Error(`graphFromArcs: arc ${a.from}→${a.to} has cost ${a.cost}`)
    if (a.from < 0 || a.from >= n || a.to < 0 || a.to >= n) throw new Error(`graphFromArcs: arc ${a.from}→${a.to} outside 0..${n - 1}`)
    offsets[a.from + 1]!++
  }
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!
  const fill = offsets.slice(0, n)
  const targets = new Int32Array(arcs.length)
  const costs = new Float64Array(arcs.length)
  for (const a of arcs) {
    const at = fill[a.from]!++
    targets[at] = a.to
    costs[at] = a.cost
  }
  return { n, offsets, targets, costs }
}

/** The same graph with every arc turned round (times to a target from everywhere). */
export function reverseGraph(g: Graph): Graph {
  const arcs: Arc[] = []
  for (let u = 0; u < g.n; u++) for (let a = g.offsets[u]!; a < g.offsets[u + 1]!; a++) arcs.push({ from: g.targets[a]!, to: u, cost: g.costs[a]! })
  return graphFromArcs(g.n, arcs)
}

/** A binary min-heap of (key, node) with lazy deletion: a node may be pushed again with a lower key. */
export class MinHeap {
  private keys: Float64Array
  private vals: Int32Array
  size = 0

  constructor(capacity = 1024) {
    this.keys = new Float64Array(capacity)
    this.vals = new Int32Array(capacity)
  }

  push(key: number, val: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2)
      k.set(this.keys)
      const v = new Int32Array(this.size * 2)
      v.set(this.vals)
      this.keys = k
      this.vals = v
    }
    let i = this.size++
    while (i > 0) {
      const p = (i - 1) >> 1
      if (this.keys[p]! <= key) break
      this.keys[i] = this.keys[p]!
      this.vals[i] = this.vals[p]!
      i = p
    }
    this.keys[i] = key
    this.vals[i] = val
  }

  /** The smallest key (call only when size > 0). */
  peekKey(): number {
    return this.keys[0]!
  }

  /** Removes the smallest entry and returns its value; its key was peekKey(). */
  pop(): number {
    const top = this.vals[0]!
    const n = --this.size
    if (n > 0) {
      const key = this.keys[n]!
      const val = this.vals[n]!
      let i = 0
      for (;;) {
        let c = 2 * i + 1
        if (c >= n) break
        if (c + 1 < n && this.keys[c + 1]! < this.keys[c]!) c++
        if (this.keys[c]! >= key) break
        this.keys[i] = this.keys[c]!
        this.vals[i] = this.vals[c]!
        i = c
      }
      this.keys[i] = key
      this.vals[i] = val
    }
    return top
  }
}

export interface Source {
  node: number
  /** Seconds already spent reaching the node (the walk from a facility or a clicked point). */
  cost: number
}

/**
 * Shortest times from the nearest of `sources` to every node, Infinity where unreached or beyond
 * `cutoff` seconds. Several sources at once give, for every node, the time to (or from) the nearest one.
 * `out` is reused when given (length n), to spare allocation in loops over many candidates.
 */
export function dijkstra(g: Graph, sources: readonly Source[], cutoff = Infinity, out?: Float64Array, reached?: number[]): Float64Array {
  const dist = out ?? new Float64Array(g.n)
  dist.fill(Infinity)
  const heap = new MinHeap(Math.min(1 << 16, Math.max(16, g.n)))
  for (const s of sources) {
    if (s.cost < dist[s.node]! && s.cost <= cutoff) {
      dist[s.node] = s.cost
      heap.push(s.cost, s.node)
    }
  }
  const { offsets, targets, costs } = g
  while (heap.size > 0) {
    const d = heap.peekKey()
    const u = heap.pop()
    if (d > dist[u]!) continue
    reached?.push(u)
    for (let a = offsets[u]!, end = offsets[u + 1]!; a < end; a++) {
      const v = targets[a]!
      const nd = d + costs[a]!
      if (nd < dist[v]! && nd <= cutoff) {
        dist[v] = nd
        heap.push(nd, v)
      }
    }
  }
  return dist
}
