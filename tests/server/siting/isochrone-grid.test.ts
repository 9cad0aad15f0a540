import { describe, expect, it } from 'vitest'
import { gridRings, ringArea } from '../../../domain/siting/isochrone-grid.js'
import { whatIf, removalMask } from '../../../domain/siting/what-if.js'

describe('gridRings', () => {
  const spec = { west: 0, south: 0, dx: 1, dy: 1, width: 5, height: 5 }
  it('traces the cells reached, counter-clockwise, area equal to the cell count; holes filled', () => {
    // A ring of cells around (2,2): the hole is filled, so the area is 9.
    const on = new Set([6, 7, 8, 11, 13, 16, 17, 18])
    const rings = gridRings(spec, (c) => on.has(c))
    expect(rings).toHaveLength(1)
    expect(ringArea(rings[0]!)).toBe(9)
    expect(rings[0]![0]).toEqual(rings[0]![rings[0]!.length - 1])
  })
  it('cells touching at a corner make two rings', () => {
    const rings = gridRings(spec, (c) => c === 0 || c === 6)
    expect(rings).toHaveLength(2)
    expect(rings.map(ringArea)).toEqual([1, 1])
  })
})

describe('what-if', () => {
  const measure = { k: 1 / 3, indicators: [{ code: 'af_income', bit: 0, weight: 1 }, { code: 'af_water_quality', bit: 2, weight: 1 }, { code: 'af_housing', bit: 9, weight: 1 }] }
  it('removing water deprivations lowers M0 in the villages affected only', () => {
    const water = removalMask(measure, 'water')
    expect(water).toBe(4)
    const r = whatIf(measure, [
      { village: '433124110226', mask: 4 | 1, people: 3, removes: water },
      { village: '433124110226', mask: 0, people: 2, removes: water },
      { village: '433124110227', mask: 4 | 1, people: 4, removes: 0 },
    ])
    expect(r.villages.map((v) => v.code)).toEqual(['433124110226'])
    const v = r.villages[0]!
    // Before: 3 of 5 people poor with c = 2/3: H 0.6, A 2/3, M0 0.4. After: c = 1/3 still poor: A 1/3, M0 0.2.
    expect(v.before.H).toBeCloseTo(0.6, 12)
    expect(v.before.M0).toBeCloseTo(0.4, 12)
    expect(v.after.M0).toBeCloseTo(0.2, 12)
    expect(v.dM0).toBeCloseTo(-0.2, 12)
    expect(r.counties[0]!.code).toBe('433124')
    expect(r.total.dM0).toBeLessThan(0)
  })
})
