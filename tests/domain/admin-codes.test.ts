import { describe, expect, it } from 'vitest'
import { ADMIN_LEVELS, areaRelation, childCodeLength, childLevelOf, CODE_LENGTHS, isAdminCode, isInside, levelOf, lineage, parentOf } from '../../domain/admin-codes.js'

describe('admin codes', () => {
  it('a code is 2, 4, 6, 9 or 12 digits, and nothing else', () => {
    for (const ok of ['43', '4331', '433124', '433124110', '433124110226']) expect(isAdminCode(ok), ok).toBe(true)
    for (const bad of ['', '4', '433', '43312411', '4331241102', '4331241102261', '43a1', ' 43', '43\n', '４３']) expect(isAdminCode(bad), bad).toBe(false)
  })

  it('levels, parents, children and lineage follow the code-length table', () => {
    expect(ADMIN_LEVELS.map((l) => CODE_LENGTHS[l])).toEqual([2, 4, 6, 9, 12])
    expect(['43', '4331', '433124', '433124110', '433124110226'].map(levelOf)).toEqual([...ADMIN_LEVELS])
    expect(levelOf('433')).toBeNull()
    expect(parentOf('433124110226')).toBe('433124110')
    expect(parentOf('433124110')).toBe('433124')
    expect(parentOf('43')).toBeNull()
    expect(childLevelOf('433124')).toBe('township')
    expect(childLevelOf('433124110226')).toBeNull()
    expect(childCodeLength('433124')).toBe(9)
    expect(childCodeLength('433124110226')).toBeNull()
    expect(lineage('433124110226')).toEqual(['43', '4331', '433124', '433124110', '433124110226'])
    expect(lineage('4331')).toEqual(['43', '4331'])
  })

  it('area relation: inside, above or outside an area', () => {
    expect(isInside('433124110226', '433124')).toBe(true)
    expect(isInside('433125', '433124')).toBe(false)
    expect(areaRelation('433124110', '433124110226')).toBe('inside')
    expect(areaRelation('433124110', '433124110')).toBe('inside')
    expect(areaRelation('433124110', '433124')).toBe('above')
    expect(areaRelation('433124110', '433124111')).toBe('outside')
    expect(areaRelation('433124110', '4331241')).toBe('above')
  })
})
