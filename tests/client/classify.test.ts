import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  classify,
  classifyWith,
  equalIntervalBreaks,
  jenksBreaks,
  quantileBreaks,
  withinClassDeviation,
} from '../../client/src/classify/classify.js'
import { NO_DATA_COLOR, rampFor } from '../../client/src/classify/ramps.js'

/** The least within-class squared deviation over every split of the sorted values into k runs (brute force). */
function bestDeviation(values: number[], k: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  const ssd = (a: number, b: number) => {
    const run = sorted.slice(a, b)
    const mean = run.reduce((s, v) => s + v, 0) / run.length
    return run.reduce((s, v) => s + (v - mean) ** 2, 0)
  }
  let best = Infinity
  const walk = (start: number, left: number, acc: number) => {
    if (left === 1) {
      best = Math.min(best, acc + ssd(start, n))
      return
    }
    for (let end = start + 1; end <= n - left + 1; end++) walk(end, left - 1, acc + ssd(start, end))
  }
  walk(0, Math.min(k, n), 0)
  return best
}

describe('classify', () => {
  it('equalIntervalBreaks splits the range into equal steps', () => {
    expect(equalIntervalBreaks([0, 3, 10, 7], 5)).toEqual([0, 2, 4, 6, 8, 10])
    expect(equalIntervalBreaks([4, 4, 4], 5)).toEqual([4])
    expect(equalIntervalBreaks([], 5)).toEqual([])
  })

  it('quantileBreaks gives each class about n/k values', () => {
    const values = [5, 1, 9, 3, 7, 2, 8, 4, 10, 6]
    const c = classify(values, 'quantile', 5)
    expect(c.breaks).toEqual([1, 2, 4, 6, 8, 10])
    expect(c.counts).toEqual([2, 2, 2, 2, 2])
    expect(quantileBreaks([3, 3, 3], 4)).toEqual([3])
  })

  it('jenksBreaks finds the obvious natural groups', () => {
    expect(jenksBreaks([1, 2, 3, 10, 11, 12, 20, 21, 22], 3)).toEqual([1, 3, 12, 22])
    expect(jenksBreaks([22, 1, 12, 3, 21, 2, 10, 20, 11], 3)).toEqual([1, 3, 12, 22])
    // Two distinct values make two classes however many are asked for.
    const two = classify([1, 3.5], 'jenks', 5)
    expect(two.breaks).toEqual([1, 1, 3.5])
    expect(two.counts).toEqual([1, 1])
  })

  it('jenksBreaks is the optimal partition (brute force on random small sets, fixed seed)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 4, maxLength: 10 }), fc.integer({ min: 2, max: 4 }), (values, k) => {
        const breaks = jenksBreaks(values, k)
        expect(withinClassDeviation(values, breaks)).toBeCloseTo(bestDeviation(values, Math.min(k, new Set(values).size)), 6)
      }),
      { seed: 20140101, numRuns: 150 },
    )
  })

  it('classify: a value on a break belongs to the lower class; nulls are missing, not counted', () => {
    const c = classify([0, 2, 4, 6, 8, 10, null], 'equal', 5)
    expect(c.breaks).toEqual([0, 2, 4, 6, 8, 10])
    expect(c.classOf(0)).toBe(0)
    expect(c.classOf(2)).toBe(0)
    expect(c.classOf(2.0001)).toBe(1)
    expect(c.classOf(10)).toBe(4)
    expect(c.classOf(null)).toBe(-1)
    expect(c.counts).toEqual([2, 1, 1, 1, 1])
    expect(c.counts.reduce((a, b) => a + b, 0) + c.missing).toBe(7)
    expect(c.missing).toBe(1)
  })

  it('classify: class counts always add up to the values present, for every method', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null }), { maxLength: 60 }),
        fc.constantFrom('jenks' as const, 'quantile' as const, 'equal' as const),
        fc.integer({ min: 3, max: 7 }),
        (values, method, k) => {
          const c = classify(values, method, k)
          const present = values.filter((v) => v !== null).length
          expect(c.counts.reduce((a, b) => a + b, 0)).toBe(present)
          expect(c.missing).toBe(values.length - present)
          expect(c.counts.length).toBeLessThanOrEqual(k)
          for (let i = 1; i < c.breaks.length; i++) expect(c.breaks[i]!).toBeGreaterThanOrEqual(c.breaks[i - 1]!)
        },
      ),
      { seed: 7, numRuns: 200 },
    )
  })

  it('classifyWith and no data', () => {
    expect(classifyWith([])(3)).toBe(-1)
    expect(classifyWith([5])(5)).toBe(0)
    expect(classify([], 'jenks', 5)).toMatchObject({ breaks: [], counts: [], missing: 0 })
  })

  it('rampFor: darkest is worst, so higher_better reverses the ramp', () => {
    const lower = rampFor(5, 'lower_better')
    const higher = rampFor(5, 'higher_better')
    expect(lower).toHaveLength(5)
    expect(higher).toEqual([...lower].reverse())
    expect(lower[4]).toBe('#bd0026')
    expect(rampFor(9, 'lower_better')).toHaveLength(7)
    expect(NO_DATA_COLOR).toMatch(/^#[0-9a-f]{6}$/)
  })
})
