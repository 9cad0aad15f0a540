import type { Dataset } from '../../../geodata/generate/types.js'
import { createRng } from '../../../geodata/generate/rng.js'
import { IdNumberAllocator } from '../../../geodata/generate/households/id-numbers.js'
import { fixtureDataset } from '../../helpers/fixture-dataset.js'

/**
 * The test fixture (4 villages around 十八洞村) with members as the cross-checks need them: each one's own
 * valid ID number (the plain fixture gives every head the same one), and spouses, pupils and elders, some
 * uninsured, some with a pension, so that every rule has candidates and non-candidates.
 */
export function crosscheckDataset(householdsPerVillage = 30): Dataset {
  const d = fixtureDataset({ householdsPerVillage })
  const rng = createRng(11)
  const ids = new IdNumberAllocator()
  const county = '433124'
  const member: Dataset['member'] = []
  let next = 0
  for (const h of d.household) {
    const add = (m: Partial<Dataset['member'][number]> & Pick<Dataset['member'][number], 'relation' | 'sex' | 'birth_year'>) => {
      member.push({
        id: ++next, household_id: h.id, name: `龙${m.sex === 'M' ? '建' : '秀'}${String.fromCharCode(0x4e00 + (next % 500))}`,
        id_number: ids.next(county, m.birth_year, rng.int(1, 12), rng.int(1, 28), m.sex),
        ethnicity: 'Miao', schooling: 'primary', in_school: null, health: 'healthy', labour: 'ordinary', migrant_months: 0,
        dibao: false, wubao: false, medical_insurance: true, pension: false, ...m,
      })
    }
    add({ relation: 'head', sex: 'M', birth_year: rng.int(1950, 1985), pension: rng.chance(0.6) })
    if (rng.chance(0.7)) add({ relation: 'spouse', sex: 'F', birth_year: rng.int(1955, 1988), medical_insurance: rng.chance(0.85), pension: rng.chance(0.5) })
    if (rng.chance(0.5)) add({ relation: 'son', sex: 'M', birth_year: rng.int(2006, 2013), in_school: rng.pick(['primary', 'junior']), labour: 'none' })
    if (rng.chance(0.2)) add({ relation: 'mother', sex: 'F', birth_year: rng.int(1935, 1950), health: 'chronic', labour: 'lost', pension: true })
  }
  return { ...d, member }
}
