/** Shortest road distances over the network's graph (Dijkstra on a binary heap). */
import type { RoadRow } from '../types.js'

class MinHeap {
  private keys: number[] = []
  private vals: number[] = []
  get size(): number {
    return this.keys.length
  }
  push(key: number, val: number): void {
    const k = this.keys
    const v = this.vals
    let i = k.length
    k.push(key)
    v.push(val)
    while (i > 0) {
      const p = (i - 1) >> 1
      if (k[p]! <= key) break
      k[i] = k[p]!
      v[i] = v[p]!
      i = p
    }
    k[i] = key
    v[i] = val
  }
  pop(): [number, number] {
    const k = this.keys
    const v = this.vals
    const top: [number, number] = [k[0]!, v[0]!]
    const lastK = k.pop()!
    const lastV = v.pop()!
    const n = k.length
    if (n > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && k[r]! < k[l]! ? r : l
        if (k[c]! >= lastK) break
        k[i] = k[c]!
        v[i] = v[c]!
        i = c
      }
      k[i] = lastK
      v[i] = lastV
    }
    return top
  }
}

/** Adjacency of an undirected weighted graph on nodes 1..n. */
export interface Graph {
  n: number
  adj: { to: number; w: number; edge: number }[][]
}

export function roadGraph(rows: readonly RoadRow[], nodeCount: number): Graph {
  const adj: Graph['adj'] = Array.from({ length: nodeCount + 1 }, () => [])
  for (const r of rows) {
    adj[r.source_node]!.push({ to: r.target_node, w: r.length_m / 1000, edge: r.id })
    adj[r.target_node]!.push({ to: r.source_node, w: r.length_m / 1000, edge: r.id })
  }
  return { n: nodeCount, adj }
}

/** Dijkstra from `source`; distances (km) per node, Infinity where unreachable or beyond maxKm. */
export function shortestDistances(graph: Graph, source: number, maxKm = Infinity): { dist: Float64Array; prevEdge: Int32Array; prevNode: Int32Array } {
  const dist = new Float64Array(graph.n + 1).fill(Infinity)
  const prevEdge = new Int32Array(graph.n + 1).fill(-1)
  const prevNode = new Int32Array(graph.n + 1).fill(-1)
  const heap = new MinHeap()
  dist[source] = 0
  heap.push(0, source)
  while (heap.size > 0) {
    const [d, u] = heap.pop()
    if (d > dist[u]! || d > maxKm) continue
    for (const { to, w, edge } of graph.adj[u]!) {
      const nd = d + w
      if (nd < dist[to]!) {
        dist[to] = nd
        prevEdge[to] = edge
        prevNode[to] = u
        heap.push(nd, to)
      }
    }
  }
  return { dist, prevEdge, prevNode }
}

/** Dijkstra with a cut-off that touches only the nodes it reaches: node → distance (km). */
export function localDistances(graph: Graph, source: number, maxKm: number): Map<number, number> {
  const dist = new Map<number, number>([[source, 0]])
  const heap = new MinHeap()
  heap.push(0, source)
  while (heap.size > 0) {
    const [d, u] = heap.pop()
    if (d > dist.get(u)!) continue
    for (const { to, w } of graph.adj[u]!) {
      const nd = d + w
      if (nd <= maxKm && nd < (dist.get(to) ?? Infinity)) {
        dist.set(to, nd)
        heap.push(nd, to)
      }
    }
  }
  return dist
}
