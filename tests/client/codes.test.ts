import { describe, expect, it } from 'vitest'
import { childLevelOf, comparisonParent, lineage, parentOf, pickArea } from '../../client/src/areas/codes.js'
import { levelOf } from '../../domain/admin-codes.js'

describe('areas/codes', () => {
  it('levels, parents and lineage follow the code lengths', () => {
    expect(levelOf('43')).toBe('province')
    expect(levelOf('433124110226')).toBe('village')
    expect(levelOf('433')).toBeNull()
    expect(parentOf('433124110226')).toBe('433124110')
    expect(parentOf('43')).toBeNull()
    expect(childLevelOf('433124')).toBe('township')
    expect(childLevelOf('433124110226')).toBeNull()
    expect(lineage('433124110226')).toEqual(['43', '4331', '433124', '433124110', '433124110226'])
  })

  it('comparisonParent: a village compares with its siblings', () => {
    expect(comparisonParent('433124')).toBe('433124')
    expect(comparisonParent('433124110226')).toBe('433124110')
  })

  it('pickArea drills down, moves sideways, or picks the most detailed area', () => {
    const under = ['43', '4331', '433124', '433124110', '433124110226']
    expect(pickArea(under, '43')).toBe('4331')
    expect(pickArea(under, '433124')).toBe('433124110')
    expect(pickArea(under, '433124110')).toBe('433124110226')
    // On the selected village itself: nothing new.
    expect(pickArea(under, '433124110226')).toBeNull()
    // Outside the selection: the area of the same level there.
    expect(pickArea(['433124', '433124111', '433124111201'], '433124110')).toBe('433124111')
    expect(pickArea(['433125', '433125001'], '433124110226')).toBe('433125001')
    expect(pickArea([], '43')).toBeNull()
  })
})
