import { describe, expect, it } from 'vitest'
import { dijkstra, graphFromArcs, MinHeap, reverseGraph } from '../../../domain/siting/graph.js'
import { buildNetwork, snap, offRoadSeconds, FORD_PENALTY_S, distanceM } from '../../../domain/siting/network.js'
import { DRIVE_KMH, driveSeconds, gradeFactor, OFF_PATH, toblerKmh, walkSeconds } from '../../../domain/siting/speeds.js'
import { createRng } from '../../../geodata/generate/rng.js'

describe('dijkstra', () => {
  // A hand-made graph:   0 →(4) 1 →(1) 3
  //                       ↘(1) 2 →(2) 1, 2 →(7) 3, 3 →(3) 4, 5 unreachable
  const g = graphFromArcs(6, [
    { from: 0, to: 1, cost: 4 },
    { from: 0, to: 2, cost: 1 },
    { from: 2, to: 1, cost: 2 },
    { from: 1, to: 3, cost: 1 },
    { from: 2, to: 3, cost: 7 },
    { from: 3, to: 4, cost: 3 },
  ])
  it('times equal the hand-computed ones', () => {
    expect(Array.from(dijkstra(g, [{ node: 0, cost: 0 }]))).toEqual([0, 3, 1, 4, 7, Infinity])
  })
  it('several sources give the time from the nearest; a source cost counts', () => {
    expect(Array.from(dijkstra(g, [{ node: 0, cost: 0 }, { node: 3, cost: 1 }]))).toEqual([0, 3, 1, 1, 4, Infinity])
  })
  it('a cutoff leaves farther nodes unreached', () => {
    expect(Array.from(dijkstra(g, [{ node: 0, cost: 0 }], 3.5))).toEqual([0, 3, 1, Infinity, Infinity, Infinity])
  })
  it('the reversed graph answers times towards a node', () => {
    expect(Array.from(dijkstra(reverseGraph(g), [{ node: 3, cost: 0 }]))).toEqual([4, 1, 3, 0, Infinity, Infinity])
  })
  it('equals Floyd–Warshall on random graphs', () => {
    const rng = createRng(18)
    for (let trial = 0; trial < 20; trial++) {
      const n = rng.int(2, 12)
      const arcs = Array.from({ length: rng.int(0, n * 3) }, () => ({ from: rng.int(0, n - 1), to: rng.int(0, n - 1), cost: Math.round(rng.range(0, 10) * 10) / 10 }))
      const d = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : Infinity)))
      for (const a of arcs) d[a.from]![a.to] = Math.min(d[a.from]![a.to]!, a.cost)
      for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i]![j] = Math.min(d[i]![j]!, d[i]![k]! + d[k]![j]!)
      const g2 = graphFromArcs(n, arcs)
      for (let s = 0; s < n; s++) {
        const got = dijkstra(g2, [{ node: s, cost: 0 }])
        d[s]!.forEach((v, j) => expect(got[j]).toBeCloseTo(v, 9))
      }
    }
  })
  it('the heap pops keys in order', () => {
    const h = new MinHeap(2)
    const keys = [5, 1, 9, 3, 3, 0, 7]
    keys.forEach((k, i) => h.push(k, i))
    const out: number[] = []
    while (h.size) {
      out.push(h.peekKey())
      h.pop()
    }
    expect(out).toEqual([...keys].sort((a, b) => a - b))
  })
})

describe('speeds', () => {
  it('walking follows Tobler: 6·exp(−3.5·|S + 0.05|) km/h, 3/5 of it off paths', () => {
    expect(toblerKmh(0)).toBeCloseTo(6 * Math.exp(-0.175), 12)
    expect(toblerKmh(-0.05)).toBeCloseTo(6, 12)
    expect(toblerKmh(0.2)).toBeCloseTo(6 * Math.exp(-3.5 * 0.25), 12)
    expect(toblerKmh(-0.3)).toBeCloseTo(6 * Math.exp(-3.5 * 0.25), 12)
    // A hand-made slope: 1,000 m rising 100 m (S = 0.1) on a path, and down it.
    expect(walkSeconds(1000, 100, false)).toBeCloseTo(1000 / ((6 * Math.exp(-3.5 * 0.15)) / 3.6), 9)
    expect(walkSeconds(1000, -100, false)).toBeCloseTo(1000 / ((6 * Math.exp(-3.5 * 0.05)) / 3.6), 9)
    expect(walkSeconds(1000, 100, true)).toBeCloseTo(walkSeconds(1000, 100, false) / OFF_PATH, 9)
  })
  it('driving: class speed slowed by the grade', () => {
    expect(driveSeconds(1000, 0, 'national')).toBeCloseTo(60, 9)
    expect(driveSeconds(1000, 100, 'village')).toBeCloseTo(1000 / ((DRIVE_KMH.village * 0.6) / 3.6), 9)
    expect(gradeFactor(-0.5)).toBe(0.3)
  })
})

describe('network', () => {
  // Two roads on a hand-made slope: the DEM rises 1 m per 10 m eastwards.
  const lat = 28
  const east = (m: number) => m / distanceM(110, lat, 111, lat)
  const elevation = (lon: number) => (lon - 110) * distanceM(110, lat, 111, lat) * 0.1
  const input = {
    roads: [
      { id: 1, cls: 'county' as const, source: 10, target: 20, lengthM: 1000, coords: [110, lat, 110 + east(1000), lat] },
      { id: 2, cls: 'village' as const, source: 20, target: 30, lengthM: 500, coords: [110 + east(1000), lat, 110 + east(1500), lat] },
    ],
    rivers: [[110 + east(1200), lat - 0.01, 110 + east(1200), lat + 0.01]],
  }
  const net = buildNetwork(input, elevation)
  it('drive and walk arcs are timed on the slope, uphill slower on foot', () => {
    const d = dijkstra(net.drive, [{ node: 0, cost: 0 }])
    expect(d[1]).toBeCloseTo(driveSeconds(1000, 100, 'county'), 6)
    expect(d[2]).toBeCloseTo(driveSeconds(1000, 100, 'county') + driveSeconds(500, 50, 'village'), 6)
    const up = dijkstra(net.walk, [{ node: 0, cost: 0 }])[1]!
    const down = dijkstra(net.walk, [{ node: 1, cost: 0 }])[0]!
    expect(up).toBeCloseTo(walkSeconds(1000, 100, false), 3)
    expect(down).toBeCloseTo(walkSeconds(1000, -100, false), 3)
  })
  it('an off-road walk follows Tobler over the DEM and crosses a river only as a ford', () => {
    const north = 300 / distanceM(110, lat, 110, lat + 1)
    // A point 300 m north of node 20 walks to it: flat (north–south), off the path.
    const s = snap(net, 110 + east(1000), lat + north, 'to')!
    expect(net.nodeIds[s.node]).toBe(20)
    expect(s.seconds).toBeCloseTo(offRoadSeconds(net, 110 + east(1000), lat + north, net.lon[s.node]!, net.lat[s.node]!), 9)
    expect(s.seconds).toBeCloseTo(300 / ((toblerKmh(0) * OFF_PATH) / 3.6), 0)
    // Beside the middle of road 1: walks straight to the road, then along it to the nearer end.
    const mid = snap(net, 110 + east(400), lat + north, 'to')!
    expect(net.nodeIds[mid.node]).toBe(10)
    const joinWalk = offRoadSeconds(net, 110 + east(400), lat + north, 110 + east(400), lat)
    expect(mid.seconds).toBeCloseTo(joinWalk + 0.4 * driveSeconds(1000, 100, 'county'), 1)
    const onFoot = snap(net, 110 + east(400), lat + north, 'to', 'walk')!
    expect(onFoot.seconds).toBeCloseTo(joinWalk + 0.4 * walkSeconds(1000, -100, false), 0)
    // East of the river, next to node 30: walks to node 30, not across the river to 20.
    const e = snap(net, 110 + east(1450), lat, 'to')!
    expect(net.nodeIds[e.node]).toBe(30)
    expect(e.ford).toBe(false)
    // A network whose only node lies across the river: a ford, with its penalty.
    const lone = buildNetwork({ roads: [input.roads[0]!], rivers: input.rivers }, elevation)
    const f = snap(lone, 110 + east(1300), lat, 'to')!
    expect(f.ford).toBe(true)
    expect(f.seconds).toBeGreaterThan(FORD_PENALTY_S)
  })
})
