import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AfHousehold, AfIndicator } from '../../../domain/identification/alkire-foster.js'
import {
  aggregateFromSums,
  combineSums,
  decomposeM0,
  identifyHousehold,
  identifySet,
  isValidK,
  normaliseWeights,
  whatIfRemoved,
} from '../../../domain/identification/alkire-foster.js'

// Hand-computed example: weights 1, 1, 2 → 1/4, 1/4, 1/2; k = 1/2; 15 people in 5 households.
const indicators: AfIndicator[] = [
  { code: 'a', dimension: 'X', weight: 1, official: true },
  { code: 'b', dimension: 'X', weight: 1 },
  { code: 'c', dimension: 'Y', weight: 2, official: true },
]
const households: AfHousehold[] = [
  { people: 4, deprived: { a: true, b: true } }, // c = 1/2, poor
  { people: 2, deprived: { c: true } }, // c = 1/2, poor
  { people: 3, deprived: { a: true } }, // c = 1/4, not poor, vulnerable
  { people: 1, deprived: { a: true, b: true, c: true } }, // c = 1, poor, severe
  { people: 5, deprived: {} }, // c = 0
]

describe('alkire-foster identifySet', () => {
  it('matches the hand-computed household scores and the official rule', () => {
    const { results } = identifySet(indicators, 0.5, households)
    expect(results.map((r) => r.score)).toEqual([0.5, 0.5, 0.25, 1, 0])
    expect(results.map((r) => r.poor)).toEqual([true, true, false, true, false])
    expect(results.map((r) => r.poorOfficial)).toEqual([true, true, true, true, false])
    expect(results[3]?.deprived).toEqual(['a', 'b', 'c'])
  })

  it('matches the hand-computed H, A, M0, censored headcounts and contributions (people-weighted)', () => {
    const { aggregate: g } = identifySet(indicators, 0.5, households)
    expect(g.population).toBe(15)
    expect(g.poorPopulation).toBe(7)
    expect(g.H).toBeCloseTo(7 / 15, 12)
    expect(g.A).toBeCloseTo(4 / 7, 12)
    expect(g.M0).toBeCloseTo(4 / 15, 12)
    expect(g.M0).toBeCloseTo(g.H * g.A, 12)
    expect(g.censored.a).toBeCloseTo(1 / 3, 12)
    expect(g.censored.b).toBeCloseTo(1 / 3, 12)
    expect(g.censored.c).toBeCloseTo(1 / 5, 12)
    expect(g.contributions.a).toBeCloseTo(0.3125, 12)
    expect(g.contributions.b).toBeCloseTo(0.3125, 12)
    expect(g.contributions.c).toBeCloseTo(0.375, 12)
    expect(Object.values(g.contributions).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12)
    expect(g.vulnerable).toBeCloseTo(3 / 15, 12)
    expect(g.severe).toBeCloseTo(7 / 15, 12)
    expect(g.officialH).toBeCloseTo(10 / 15, 12)
  })

  it('counts a score equal to k as poor although thirds are inexact in binary', () => {
    const thirds: AfIndicator[] = ['p', 'q', 'r'].map((code) => ({ code, dimension: code, weight: 1 }))
    expect(identifyHousehold(thirds, 1 / 3, { people: 1, deprived: { p: true } }).poor).toBe(true)
    expect(identifyHousehold(thirds, 0.34, { people: 1, deprived: { p: true } }).poor).toBe(false)
  })

  it('k = 0 is the union approach: a household deprived in nothing is never poor', () => {
    expect(identifyHousehold(indicators, 0, { people: 1, deprived: {} }).poor).toBe(false)
    expect(identifyHousehold(indicators, 0, { people: 1, deprived: { b: true } }).poor).toBe(true)
  })

  it('rejects weights that make no measure and k outside 0..1', () => {
    expect(() => normaliseWeights([{ code: 'a', dimension: 'X', weight: 0 }])).toThrow(RangeError)
    expect(() => normaliseWeights([{ code: 'a', dimension: 'X', weight: -1 }, { code: 'b', dimension: 'X', weight: 2 }])).toThrow(RangeError)
    expect([isValidK(-0.01), isValidK(0), isValidK(1), isValidK(1.01), isValidK(Number.NaN)]).toEqual([false, true, true, false, false])
  })

  it('whatIfRemoved: removing deprivation c of household 2 lowers H and M0 by its share', () => {
    const w = whatIfRemoved(indicators, 0.5, households, (_h, i) => (i === 1 ? ['c'] : []))
    expect(w.after.poorPopulation).toBe(5)
    expect(w.dH).toBeCloseTo(-2 / 15, 12)
    expect(w.dM0).toBeCloseTo(-1 / 15, 12)
    expect(w.dA).toBeCloseTo(3 / 5 - 4 / 7, 12)
  })
})

describe('alkire-foster decomposition', () => {
  const household = fc.record({
    people: fc.integer({ min: 1, max: 9 }),
    deprived: fc.record({ a: fc.boolean(), b: fc.boolean(), c: fc.boolean() }),
    area: fc.integer({ min: 0, max: 4 }),
  })

  it('an area M0 equals the population-weighted sum of its sub-areas M0, and sums combine exactly', () => {
    fc.assert(
      fc.property(fc.array(household, { minLength: 1, maxLength: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (hs, k) => {
        const pooled = identifySet(indicators, k, hs)
        const parts = [0, 1, 2, 3, 4].map((area) => identifySet(indicators, k, hs.filter((h) => h.area === area)))
        expect(decomposeM0(parts.map((p) => p.aggregate))).toBeCloseTo(pooled.aggregate.M0, 10)
        const combined = aggregateFromSums(indicators, combineSums(indicators, parts.map((p) => p.sums)))
        expect(combined.H).toBeCloseTo(pooled.aggregate.H, 10)
        expect(combined.A).toBeCloseTo(pooled.aggregate.A, 10)
        for (const code of ['a', 'b', 'c']) expect(combined.censored[code]).toBeCloseTo(pooled.aggregate.censored[code] ?? -1, 10)
        const contributionSum = Object.values(pooled.aggregate.contributions).reduce((s, v) => s + v, 0)
        expect(contributionSum).toBeCloseTo(pooled.aggregate.M0 > 0 ? 1 : 0, 10)
      }),
    )
  })
})
