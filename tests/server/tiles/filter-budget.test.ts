import { describe, expect, it } from 'vitest'
import { FilterBudget } from '../../../server/tiles/filter-budget.js'

describe('FilterBudget', () => {
  it('allows max distinct combinations per caller within the window, renews those in use, and frees the unused ones after it', () => {
    let now = 1_000_000
    const b = new FilterBudget({ max: 2, windowMs: 60_000 }, () => now)
    expect(b.admit('u1', 'a')).toBe(true)
    expect(b.admit('u1', 'b')).toBe(true)
    expect(b.admit('u1', 'c')).toBe(false)
    // Refused: nothing recorded, and the others of this caller and other callers are unaffected.
    expect(b.admit('u1', 'a')).toBe(true)
    expect(b.admit('u2', 'c')).toBe(true)
    expect(b.retryAfterS('u1')).toBe(60)
    now += 40_000
    expect(b.admit('u1', 'a')).toBe(true) // renews a
    expect(b.retryAfterS('u1')).toBe(20) // b, last used 40 s ago
    now += 20_000
    // b has gone unused for the window: c takes its place; a, used 20 s ago, stays.
    expect(b.admit('u1', 'c')).toBe(true)
    expect(b.admit('u1', 'b')).toBe(false)
    expect(b.admit('u1', 'a')).toBe(true)
  })
})
