import { describe, expect, it } from 'vitest'
import { bruteForceCover, coverLp, coverValue, greedyCover, swapImprove, type CoverInstance } from '../../../domain/siting/covering.js'
import { greedyMedian, medianCost, swapMedian } from '../../../domain/siting/p-median.js'
import { solveLp } from '../../../server/siting/milp.js'
import { createRng } from '../../../geodata/generate/rng.js'

function randomInstance(seed: number): { inst: CoverInstance; k: number } {
  const rng = createRng(seed)
  const n = rng.int(5, 30)
  const m = rng.int(3, 10)
  const weights = Array.from({ length: n }, () => rng.int(1, 8))
  const covers = Array.from({ length: m }, () => Int32Array.from([...new Set(Array.from({ length: rng.int(0, n) }, () => rng.int(0, n - 1)))]))
  return { inst: { weights, covers }, k: rng.int(1, Math.min(4, m)) }
}

describe('maximal covering', () => {
  it('the exact MILP (HiGHS) equals brute force; greedy is within 1 − 1/e and swaps never lose', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { inst, k } = randomInstance(seed)
      const best = bruteForceCover(inst, k)
      const exact = await solveLp(coverLp(inst, k))
      expect(exact, `seed ${seed}`).toBeDefined()
      const chosen = inst.covers.map((_, j) => j).filter((j) => (exact!.columns[`x${j}`] ?? 0) > 0.5)
      expect(chosen.length).toBe(k)
      expect(coverValue(inst, chosen), `seed ${seed}`).toBe(best.value)
      const greedy = greedyCover(inst, k)
      expect(greedy.value).toBe(coverValue(inst, greedy.sites))
      expect(greedy.value, `seed ${seed}`).toBeGreaterThanOrEqual((1 - 1 / Math.E) * best.value - 1e-9)
      const swapped = swapImprove(inst, greedy.sites)
      expect(swapped.value).toBeGreaterThanOrEqual(greedy.value)
      expect(swapped.value).toBeLessThanOrEqual(best.value)
      expect(swapped.gains.reduce((a, b) => a + b, 0)).toBe(swapped.value)
    }
  })
  it('lazy greedy takes the largest marginal gain at every step (as plain greedy does)', () => {
    for (let seed = 50; seed < 70; seed++) {
      const { inst, k } = randomInstance(seed)
      const lazy = greedyCover(inst, k)
      const taken: number[] = []
      for (let step = 0; step < lazy.sites.length; step++) {
        const gains = inst.covers.map((_, j) => (taken.includes(j) ? -1 : coverValue(inst, [...taken, j]) - coverValue(inst, taken)))
        expect(lazy.gains[step]).toBe(Math.max(...gains))
        taken.push(lazy.sites[step]!)
      }
    }
  })
})

describe('p-median', () => {
  it('greedy + swap reaches the brute-force optimum on small instances, or close', () => {
    const rng = createRng(99)
    for (let trial = 0; trial < 15; trial++) {
      const n = rng.int(3, 12)
      const m = rng.int(2, 6)
      const weights = Array.from({ length: n }, () => rng.int(1, 5))
      const existing = Float64Array.from({ length: n }, () => rng.range(600, 3600))
      const times = Array.from({ length: m }, () => Float32Array.from({ length: n }, () => Math.round(rng.range(0, 3600))))
      const inst = { weights, existing, times }
      const p = rng.int(1, Math.min(3, m))
      let best = Infinity
      const walk = (from: number, pick: number[]) => {
        if (pick.length === p) return void (best = Math.min(best, medianCost(inst, pick)))
        for (let j = from; j < m; j++) walk(j + 1, [...pick, j])
      }
      walk(0, [])
      const g = greedyMedian(inst, p)
      const s = swapMedian(inst, g.sites)
      expect(s.cost).toBeLessThanOrEqual(g.cost + 1e-6)
      expect(s.cost).toBeGreaterThanOrEqual(best - 1e-6)
      expect(s.cost).toBeLessThanOrEqual(best * 1.05 + 1e-6)
    }
  })
})
