import { describe, expect, it } from 'vitest'
import { roleCodeLengths, roleFitsArea, ROLES } from '../../domain/roles.js'

describe('roles', () => {
  it('each role works at the levels of its areas', () => {
    expect(roleFitsArea('province_admin', '43')).toBe(true)
    expect(roleFitsArea('province_admin', '4331')).toBe(false)
    expect(roleFitsArea('village_team', '433124110226')).toBe(true)
    expect(roleFitsArea('leader', '433124')).toBe(true)
    expect(roleFitsArea('leader', '433124110')).toBe(false)
    expect(roleFitsArea('auditor', '433')).toBe(false)
    expect(roleCodeLengths('department_viewer')).toEqual([2, 4, 6])
    for (const role of ROLES) expect(roleCodeLengths(role).length, role).toBeGreaterThan(0)
  })
})
