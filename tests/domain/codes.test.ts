import { describe, expect, it } from 'vitest'
import { HOUSEHOLD_STATUSES, isPoor, POOR_STATUSES } from '../../domain/codes.js'

describe('registry codes', () => {
  it('poor means not yet lifted or returned to poverty', () => {
    expect([...POOR_STATUSES]).toEqual(['poor', 'returned'])
    expect(HOUSEHOLD_STATUSES.filter(isPoor)).toEqual(['poor', 'returned'])
    expect(isPoor('lifted')).toBe(false)
  })
})
