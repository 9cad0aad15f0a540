import { describe, expect, it } from 'vitest'
import { generateVillageTeam, type TeamHousehold, type TeamVillage } from '../../../geodata/generate/work-teams.js'
import { TEAM_ROLES, WISH_KINDS, WISH_STATUSES } from '../../../domain/schemas/workteams.js'

const villages: TeamVillage[] = Array.from({ length: 400 }, (_, i) => ({ code: `433124${String(100 + (i % 20)).padStart(3, '0')}${String(200 + i).padStart(3, '0')}`, poverty: i % 4 !== 0, countyName: '花垣县' }))
const householdsOf = (v: TeamVillage): TeamHousehold[] => Array.from({ length: Number(v.code.slice(-2)) % 40 }, (_, i) => ({ id: `${v.code}${i}`, poor: i % 3 === 0 }))
const counter = () => {
  let n = 0
  return () => ++n
}

describe('work-team generator', () => {
  it('is deterministic, and a village’s rows do not depend on the other villages or their order (ids aside)', () => {
    const once = villages.map((v) => generateVillageTeam(1, v, householdsOf(v), counter()))
    const again = [...villages].reverse().map((v) => generateVillageTeam(1, v, householdsOf(v), counter())).reverse()
    expect(again).toEqual(once)
    const otherSeed = villages.map((v) => generateVillageTeam(2, v, householdsOf(v), counter()))
    expect(otherSeed).not.toEqual(once)
  })

  it('most poverty villages get a resident team, some none or a visiting one (the flag); every household a cadre; valid codes', () => {
    const next = counter()
    const rows = villages.map((v) => ({ v, r: generateVillageTeam(1, v, householdsOf(v), next) }))
    const poverty = rows.filter(({ v }) => v.poverty)
    const resident = poverty.filter(({ r }) => r.team?.resident).length / poverty.length
    expect(resident).toBeGreaterThan(0.75)
    expect(resident).toBeLessThan(0.95)
    expect(poverty.some(({ r }) => r.team === null)).toBe(true)
    expect(poverty.some(({ r }) => r.team !== null && !r.team.resident)).toBe(true)
    const ids = new Set<number>()
    for (const { v, r } of rows) {
      const hs = householdsOf(v)
      expect(r.pairings.map((p) => p.household_id)).toEqual(hs.map((h) => h.id))
      const cadres = new Set(r.members.map((m) => m.id))
      for (const p of r.pairings) expect(cadres.has(p.cadre_id)).toBe(true)
      for (const m of r.members) {
        expect(TEAM_ROLES).toContain(m.role)
        expect(m.phone).toMatch(/^1[3-9][0-9]{9}$/)
        expect(m.village_code).toBe(v.code)
        expect(ids.has(m.id)).toBe(false)
        ids.add(m.id)
      }
      if (r.team) expect(r.members.filter((m) => m.role === 'first_secretary')).toHaveLength(1)
      else expect(r.members.every((m) => m.role === 'pairing_cadre')).toBe(true)
      for (const w of r.wishes) {
        expect(WISH_KINDS).toContain(w.kind)
        expect(WISH_STATUSES).toContain(w.status)
        expect(w.recorded_on).toMatch(/^20(1[6-9]|20)-[01][0-9]-[0-2][0-9]$/)
        expect(w.note.length).toBeGreaterThan(0)
      }
    }
  })
})
