/** Poverty causes: their base weights and the evidence each needs in a household. */
import type { PovertyCause } from '../../../domain/codes.js'
import type { MemberRow } from '../types.js'

export const CAUSE_WEIGHTS: Record<PovertyCause, number> = {
  illness: 0.36,
  disability: 0.09,
  schooling: 0.08,
  disaster: 0.03,
  land: 0.03,
  water: 0.03,
  skills: 0.11,
  labour: 0.08,
  capital: 0.1,
  transport: 0.04,
  drive: 0.03,
  other: 0.02,
}
export const CAUSES = Object.keys(CAUSE_WEIGHTS) as PovertyCause[]

/** The household facts a poverty cause needs (what tests check for every main and other cause). */
export interface CauseEvidence {
  members: readonly Pick<MemberRow, 'health' | 'labour' | 'in_school' | 'birth_year'>[]
  registeredYear: number
  waterDifficulty: boolean
  roadHardened: boolean
  disasterRisk: number
  landPerPersonMu: number
}

export function causeHasEvidence(cause: string, e: CauseEvidence): boolean {
  const ms = e.members
  switch (cause) {
    case 'illness':
      return ms.some((m) => m.health === 'chronic' || m.health === 'serious')
    case 'disability':
      return ms.some((m) => m.health === 'disabled')
    case 'schooling':
      return ms.some((m) => m.in_school !== null && m.in_school !== 'preschool')
    case 'labour': {
      const able = ms.filter((m) => m.labour === 'ordinary' || m.labour === 'skilled').length
      return able <= 1 && ms.some((m) => m.labour === 'lost' || e.registeredYear - m.birth_year >= 60)
    }
    case 'water':
      return e.waterDifficulty
    case 'transport':
      return !e.roadHardened
    case 'disaster':
      return e.disasterRisk >= 0.25
    case 'land':
      return e.landPerPersonMu < 0.8
    default:
      return true
  }
}
