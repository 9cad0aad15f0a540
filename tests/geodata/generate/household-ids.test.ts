import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { HOUSEHOLD_ID_BASE, HouseholdIds, permute48, unpermute48 } from '../../../geodata/generate/household-ids.js'
import { createRng } from '../../../geodata/generate/rng.js'
import { runStandIn } from './stand-in.js'

const keys = [0x1234567, -0x7654321, 42, 0x7fffffff, -1, 99]

describe('permute48', () => {
  it('is a bijection of [0, 2^48): the inverse gives every input back (fuzzed, fixed seed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 30 - 1 }), fc.integer({ min: 0, max: 2 ** 18 - 1 }), (hi, lo) => {
        const n = hi * 2 ** 18 + lo
        const p = permute48(n, keys)
        expect(p).toBeGreaterThanOrEqual(0)
        expect(p).toBeLessThan(2 ** 48)
        expect(unpermute48(p, keys)).toBe(n)
      }),
      { seed: 48, numRuns: 2000 },
    )
    for (const n of [0, 1, 2 ** 24 - 1, 2 ** 24, 2 ** 48 - 1]) expect(unpermute48(permute48(n, keys), keys)).toBe(n)
    expect(() => permute48(2 ** 48, keys)).toThrow(RangeError)
    expect(() => permute48(-1, keys)).toThrow(RangeError)
  })

  it('scatters neighbours: consecutive inputs are neither consecutive nor ordered outputs', () => {
    const out = Array.from({ length: 1000 }, (_, n) => permute48(n, keys))
    expect(new Set(out).size).toBe(1000)
    const rises = out.slice(1).filter((v, i) => v > out[i]!).length
    expect(rises).toBeGreaterThan(400)
    expect(rises).toBeLessThan(600)
    const sorted = [...out].sort((a, b) => a - b)
    expect(Math.min(...sorted.slice(1).map((v, i) => v - sorted[i]!))).toBeGreaterThan(1000)
  })
})

describe('HouseholdIds', () => {
  it('same seed, same ids; another seed, other ids; all in [2^48, 2^49), safe integers', () => {
    const a = new HouseholdIds(createRng(1).fork('household-ids'))
    const b = new HouseholdIds(createRng(1).fork('household-ids'))
    const c = new HouseholdIds(createRng(2).fork('household-ids'))
    const ids = Array.from({ length: 200 }, () => a.next())
    expect(Array.from({ length: 200 }, () => b.next())).toEqual(ids)
    const other = Array.from({ length: 200 }, () => c.next())
    expect(other.filter((x, i) => x === ids[i])).toEqual([])
    for (const id of [...ids, ...other]) {
      expect(Number.isSafeInteger(id)).toBe(true)
      expect(id).toBeGreaterThanOrEqual(HOUSEHOLD_ID_BASE)
      expect(id).toBeLessThan(2 * HOUSEHOLD_ID_BASE)
    }
    expect(a.idOf(0)).toBe(ids[0])
  })

  it('the generator hands them out: unique, not sequential, members and yearly rows follow, deterministic', () => {
    const run = runStandIn(21)
    const { household, household_year: years, member } = run.households
    const ids = household.map((h) => h.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.every((id) => id >= HOUSEHOLD_ID_BASE && id < 2 * HOUSEHOLD_ID_BASE)).toBe(true)
    const rises = ids.slice(1).filter((v, i) => v > ids[i]!).length
    expect(rises / (ids.length - 1)).toBeGreaterThan(0.4)
    expect(rises / (ids.length - 1)).toBeLessThan(0.6)
    const known = new Set(ids)
    expect(member.every((m) => known.has(m.household_id))).toBe(true)
    expect(years.every((y) => known.has(y.household_id))).toBe(true)
    expect(runStandIn(21).households.household.map((h) => h.id)).toEqual(ids)
  })
})
