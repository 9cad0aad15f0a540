import { length as turfLength } from '@turf/length'
import { describe, expect, it } from 'vitest'
import { ROAD_CLASSES } from '../../../domain/codes.js'
import { createRng } from '../../../geodata/generate/rng.js'
import { buildRoadNetwork, generateRoads, PAVED_BEFORE_REGISTRY, villagesWithoutHardenedRoad } from '../../../geodata/generate/roads/index.js'
import { distanceKm } from '../../../geodata/generate/spatial-index.js'
import { standIn } from './stand-in.js'

const base = standIn()
const net = buildRoadNetwork(base.areas, base.terrain, createRng(11).fork('roads'))

function segmentsCross(p1: number[], p2: number[], q1: number[], q2: number[]): boolean {
  const d = (a: number[], b: number[], c: number[]) => (b[0]! - a[0]!) * (c[1]! - a[1]!) - (b[1]! - a[1]!) * (c[0]! - a[0]!)
  const d1 = d(q1, q2, p1)
  const d2 = d(q1, q2, p2)
  const d3 = d(p1, p2, q1)
  const d4 = d(p1, p2, q2)
  return d1 * d2 < 0 && d3 * d4 < 0
}

describe('buildRoadNetwork', () => {
  it('gives every seat a node and links them into one connected graph', () => {
    const adj = new Map<number, number[]>()
    for (const r of net.rows) {
      adj.set(r.source_node, [...(adj.get(r.source_node) ?? []), r.target_node])
      adj.set(r.target_node, [...(adj.get(r.target_node) ?? []), r.source_node])
    }
    for (const a of base.areas) if (a.seat) expect(net.seatNode.has(a.code), a.code).toBe(true)
    const start = net.seatNode.get('433124')!
    const seen = new Set([start])
    const queue = [start]
    while (queue.length > 0)
      for (const n of adj.get(queue.pop()!) ?? [])
        if (!seen.has(n)) {
          seen.add(n)
          queue.push(n)
        }
    for (const [code, node] of net.seatNode) expect(seen.has(node), `seat of ${code}`).toBe(true)
  })

  it('ends every line exactly at the positions of its source and target nodes', () => {
    for (const r of net.rows) {
      const c = r.geom.coordinates
      expect(c[0]).toEqual(net.nodePos[r.source_node])
      expect(c[c.length - 1]).toEqual(net.nodePos[r.target_node])
      expect(r.source_node).not.toBe(r.target_node)
    }
    // A node is one position: no two node ids share a position.
    const keys = new Set(net.nodePos.slice(1).map((p) => p.join(',')))
    expect(keys.size).toBe(net.nodeCount)
  })

  it('ends each village road at its township seat node', () => {
    let checked = 0
    for (const v of base.areas.filter((a) => a.level === 'village')) {
      const ids = net.villageRoadIds.get(v.code)
      if (!ids) continue
      const first = net.rows[ids[0]! - 1]!
      const last = net.rows[ids[ids.length - 1]! - 1]!
      expect(first.source_node).toBe(net.seatNode.get(v.code))
      expect(last.target_node).toBe(net.seatNode.get(v.parent_code!))
      checked++
    }
    // Villages whose seat is the township seat have no road of their own.
    expect(checked).toBeGreaterThan(100)
  })

  it('is noded: no two roads cross except at a shared node', () => {
    const segs = net.rows.flatMap((r) => r.geom.coordinates.slice(1).map((b, i) => ({ id: r.id, a: r.geom.coordinates[i]!, b })))
    let crossings = 0
    for (let i = 0; i < segs.length; i++)
      for (let j = i + 1; j < segs.length; j++) {
        const s = segs[i]!
        const t = segs[j]!
        if (s.id !== t.id && segmentsCross(s.a, s.b, t.a, t.b)) crossings++
      }
    expect(crossings).toBe(0)
  })

  it('measures length_m with turf and uses every road class with sequential ids', () => {
    for (const r of net.rows) {
      const km = turfLength({ type: 'Feature', properties: {}, geometry: r.geom }, { units: 'kilometers' })
      expect(r.length_m).toBeCloseTo(km * 1000, 0)
      expect(r.length_m).toBeGreaterThan(0)
    }
    expect(net.rows.map((r) => r.id)).toEqual(net.rows.map((_, i) => i + 1))
    expect(new Set(net.rows.map((r) => r.class))).toEqual(new Set(ROAD_CLASSES))
  })

  it('bends lines toward lower ground rather than drawing straight lines', () => {
    let bent = 0
    let lower = 0
    let compared = 0
    for (const r of net.rows) {
      const c = r.geom.coordinates
      if (c.length > 2) bent++
      for (let i = 1; i < c.length - 1; i++) {
        // The vertex against the straight line's point at the same fraction of the way.
        const a = c[0]!
        const b = c[c.length - 1]!
        const t = i / (c.length - 1)
        const straight = base.terrain.elevation(a[0]! + (b[0]! - a[0]!) * t, a[1]! + (b[1]! - a[1]!) * t)
        const actual = base.terrain.elevation(c[i]![0]!, c[i]![1]!)
        if (Math.abs(actual - straight) > 1) {
          compared++
          if (actual < straight) lower++
        }
      }
    }
    expect(bent / net.rows.length).toBeGreaterThan(0.5)
    expect(lower / compared).toBeGreaterThan(0.6)
  })

  it('leaves some steep villages without a paved road in 2014 and paves them all by 2020', () => {
    const unpaved = villagesWithoutHardenedRoad(net, 2014)
    expect(unpaved.length).toBeGreaterThan(0)
    expect(villagesWithoutHardenedRoad(net, 2020)).toEqual([])
    const slope = (code: string) => {
      const s = base.areas.find((a) => a.code === code)!.seat!.coordinates
      return base.terrain.slopeDeg(s[0]!, s[1]!)
    }
    const mean = (xs: string[]) => xs.reduce((s, c) => s + slope(c), 0) / xs.length
    const paved = [...net.villageHardenedYear].filter(([, y]) => y <= PAVED_BEFORE_REGISTRY).map(([c]) => c)
    expect(mean(unpaved)).toBeGreaterThan(mean(paved))
    for (const code of unpaved) for (const id of net.villageRoadIds.get(code) ?? []) expect(net.hardenedYear.get(id)).toBe(net.villageHardenedYear.get(code))
  })

  it('links county seats with national or provincial roads that start at seats', () => {
    const countyNodes = base.areas.filter((a) => a.level === 'county').map((a) => net.seatNode.get(a.code)!)
    const major = net.rows.filter((r) => r.class === 'national' || r.class === 'provincial')
    for (const n of countyNodes) expect(major.some((r) => r.source_node === n || r.target_node === n)).toBe(true)
    // Lines stay within a plausible detour of the straight line.
    for (const r of net.rows) {
      const c = r.geom.coordinates
      const straight = distanceKm([c[0]![0]!, c[0]![1]!], [c[c.length - 1]![0]!, c[c.length - 1]![1]!])
      expect(r.length_m / 1000).toBeLessThan(straight * 1.6 + 0.05)
    }
  })

  it('is deterministic: same seed identical, another seed different', () => {
    const again = generateRoads(base.areas, base.terrain, createRng(11).fork('roads'))
    expect(JSON.stringify(again)).toBe(JSON.stringify(net.rows))
    const other = generateRoads(base.areas, base.terrain, createRng(12).fork('roads'))
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(net.rows))
  })
})
