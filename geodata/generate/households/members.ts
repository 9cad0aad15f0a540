/** The members of a household: its structure, ages, schooling, health and labour, with the main cause's evidence. */
import type { PovertyCause } from '../../../domain/codes.js'
import type { Rng } from '../rng.js'
import type { MemberRow } from '../types.js'
import type { Ethnicity, Relation, Schooling, Stage } from './codes.js'
import { ethnicityOf, GIVEN, SURNAME_LISTS } from './names.js'

export interface Person {
  sex: 'M' | 'F'
  birthYear: number
  relation: Relation
  surname: string
  ethnicity: Ethnicity
  health: MemberRow['health']
  labour: MemberRow['labour']
  schooling: Schooling
  inSchool: Stage | null
  migrantMonths: number
  generation?: string
}

type Structure = 'single_elderly' | 'elderly_couple' | 'nuclear' | 'three_gen' | 'with_parents' | 'single_adult'
const STRUCTURES: Structure[] = ['single_elderly', 'elderly_couple', 'nuclear', 'three_gen', 'with_parents', 'single_adult']
const STRUCTURE_WEIGHTS: Partial<Record<PovertyCause, number[]>> & { default: number[] } = {
  default: [6, 10, 38, 22, 18, 6],
  labour: [30, 35, 7, 8, 10, 10],
  schooling: [0, 0, 55, 20, 25, 0],
  illness: [8, 12, 33, 22, 19, 6],
  disability: [6, 8, 34, 22, 18, 12],
}

export const isAble = (p: Pick<Person, 'labour'>) => p.labour === 'ordinary' || p.labour === 'skilled'
export const inSchoolProper = (p: Pick<Person, 'inSchool'>) => p.inSchool !== null && p.inSchool !== 'preschool'

export function ageAt(p: Person, year: number): number {
  return year - p.birthYear
}

function schoolingFor(age: number, birthYear: number, rng: Rng): { schooling: Schooling; inSchool: Stage | null } {
  if (age < 3) return { schooling: 'preschool', inSchool: null }
  if (age < 6) return { schooling: 'preschool', inSchool: rng.chance(0.65) ? 'preschool' : null }
  if (age < 12) return { schooling: 'primary', inSchool: rng.chance(0.985) ? 'primary' : null }
  if (age < 15) return rng.chance(0.95) ? { schooling: 'junior', inSchool: 'junior' } : { schooling: 'primary', inSchool: null }
  if (age < 18) {
    if (rng.chance(0.7)) return rng.chance(0.58) ? { schooling: 'senior', inSchool: 'senior' } : { schooling: 'senior', inSchool: 'vocational' }
    return { schooling: 'junior', inSchool: null }
  }
  if (age < 23 && rng.chance(0.22)) return { schooling: 'college', inSchool: 'college' }
  const table: [Schooling[], number[]] =
    birthYear < 1950
      ? [['illiterate', 'primary', 'junior'], [45, 45, 10]]
      : birthYear < 1970
        ? [['illiterate', 'primary', 'junior', 'senior'], [15, 45, 35, 5]]
        : birthYear < 1990
          ? [['illiterate', 'primary', 'junior', 'senior', 'college'], [3, 25, 55, 13, 4]]
          : [['primary', 'junior', 'senior', 'college'], [10, 55, 28, 7]]
  return { schooling: rng.weighted(table[0], table[1]), inSchool: null }
}

function baseHealth(age: number, rng: Rng): Person['health'] {
  const [dis, chr, ser] = age < 16 ? [0.01, 0.01, 0.003] : age < 60 ? [0.035, 0.06, 0.012] : [0.06, 0.25, 0.04]
  const u = rng.next()
  return u < dis ? 'disabled' : u < dis + chr ? 'chronic' : u < dis + chr + ser ? 'serious' : 'healthy'
}

function baseLabour(p: Person, age: number, rng: Rng): Person['labour'] {
  if (age < 16 || inSchoolProper(p)) return 'none'
  if (p.health === 'disabled') return rng.chance(0.75) ? 'lost' : 'ordinary'
  if (p.health === 'serious') return rng.chance(0.8) ? 'lost' : 'ordinary'
  if (age >= 70) return 'none'
  if (p.health === 'chronic' && rng.chance(0.3)) return 'lost'
  if (age >= 60) return rng.weighted(['ordinary', 'lost', 'none'] as const, [50, 20, 30])
  return rng.chance(0.12) ? 'skilled' : 'ordinary'
}

/** Members of a household whose main cause is `cause`, with that cause's evidence in place. */
export function householdMembers(cause: PovertyCause, ethnicity: Ethnicity, county: string, ref: number, rng: Rng): Person[] {
  const structure = rng.weighted(STRUCTURES, STRUCTURE_WEIGHTS[cause] ?? STRUCTURE_WEIGHTS.default)
  const surname = () => {
    const l = SURNAME_LISTS[ethnicity]
    return rng.weighted(l.names, l.weights)
  }
  const person = (relation: Relation, sex: 'M' | 'F', age: number, sn: string, eth: Ethnicity = ethnicity): Person => ({
    sex,
    birthYear: ref - Math.max(0, Math.round(age)),
    relation,
    surname: sn,
    ethnicity: eth,
    health: 'healthy',
    labour: 'ordinary',
    schooling: 'primary',
    inSchool: null,
    migrantMonths: 0,
  })
  const spouseEth = () => (rng.chance(0.85) ? ethnicity : ethnicityOf(county, rng))
  const ms: Person[] = []
  const headSurname = surname()
  const addChildren = (parentAge: number, n: number, sn: string, rel: 'child' | 'grandchild', eth: Ethnicity) => {
    const gen = rng.chance(0.5) ? rng.pick(GIVEN.maleOld) : undefined
    for (let i = 0; i < n; i++) {
      const maxAge = Math.min(rel === 'child' ? 26 : 16, parentAge - 20)
      if (maxAge < 0) break
      const sex = rng.chance(0.53) ? 'M' : 'F'
      const relation: Relation = rel === 'child' ? (sex === 'M' ? 'son' : 'daughter') : sex === 'M' ? 'grandson' : 'granddaughter'
      const p = person(relation, sex, rng.int(0, maxAge), sn, eth)
      if (gen && sex === 'M') p.generation = gen
      ms.push(p)
    }
  }
  switch (structure) {
    case 'single_elderly': {
      ms.push(person('head', rng.chance(0.55) ? 'M' : 'F', rng.int(62, 88), headSurname))
      break
    }
    case 'elderly_couple': {
      const age = rng.int(60, 85)
      ms.push(person('head', 'M', age, headSurname), person('spouse', 'F', age - rng.int(0, 5), surname(), spouseEth()))
      break
    }
    case 'single_adult': {
      ms.push(person('head', rng.chance(0.7) ? 'M' : 'F', rng.int(25, 60), headSurname))
      break
    }
    case 'nuclear':
    case 'with_parents': {
      const age = rng.int(structure === 'nuclear' ? 26 : 30, 55)
      const maleHead = rng.chance(0.86)
      ms.push(person('head', maleHead ? 'M' : 'F', age, headSurname))
      const married = rng.chance(0.9)
      const spouseName = surname()
      if (married) ms.push(person('spouse', maleHead ? 'F' : 'M', age + rng.int(-4, 4), spouseName, spouseEth()))
      const kidsName = maleHead || !married ? headSurname : spouseName
      addChildren(age, rng.weighted([1, 2, 3], [35, 45, 20]), kidsName, 'child', ethnicity)
      if (structure === 'with_parents') {
        const pAge = Math.min(95, age + rng.int(22, 32))
        if (rng.chance(0.75)) ms.push(person('mother', 'F', pAge - rng.int(0, 4), surname(), ethnicity))
        if (ms.length < 3 || rng.chance(0.55)) ms.push(person('father', 'M', pAge, headSurname, ethnicity))
      }
      break
    }
    case 'three_gen': {
      const age = rng.int(48, 68)
      ms.push(person('head', 'M', age, headSurname))
      if (rng.chance(0.85)) ms.push(person('spouse', 'F', age - rng.int(0, 5), surname(), spouseEth()))
      const sonAge = Math.min(age - 20, rng.int(22, 40))
      ms.push(person('son', 'M', sonAge, headSurname))
      if (rng.chance(0.8)) ms.push(person('daughter_in_law', 'F', sonAge - rng.int(0, 4), surname(), spouseEth()))
      addChildren(sonAge, rng.weighted([1, 2, 3], [45, 42, 13]), headSurname, 'grandchild', ethnicity)
      if (rng.chance(0.25)) ms.push(person('daughter', 'F', Math.max(16, sonAge - rng.int(2, 8)), headSurname))
      break
    }
  }
  // Schooling, health and labour by age.
  for (const m of ms) {
    const age = ageAt(m, ref)
    const s = schoolingFor(age, m.birthYear, rng)
    m.schooling = s.schooling
    m.inSchool = s.inSchool
    m.health = baseHealth(age, rng)
  }
  const adultsIdx = ms.map((m, i) => (ageAt(m, ref) >= 16 && !inSchoolProper(m) ? i : -1)).filter((i) => i >= 0)
  // The main cause's evidence.
  if (cause === 'illness') {
    const i = adultsIdx.length > 0 ? rng.pick(adultsIdx) : rng.int(0, ms.length - 1)
    ms[i]!.health = rng.chance(0.45) ? 'serious' : 'chronic'
  } else if (cause === 'disability') {
    const i = adultsIdx.length > 0 && rng.chance(0.8) ? rng.pick(adultsIdx) : rng.int(0, ms.length - 1)
    ms[i]!.health = 'disabled'
  } else if (cause === 'schooling' && !ms.some(inSchoolProper)) {
    const head = ms[0]!
    const age = Math.max(6, Math.min(20, ageAt(head, ref) - 20))
    const sex = rng.chance(0.5) ? 'M' : 'F'
    const child = person(sex === 'M' ? 'son' : 'daughter', sex, rng.int(Math.min(age, 15), age), head.surname)
    const a = ageAt(child, ref)
    child.inSchool = a < 12 ? 'primary' : a < 15 ? 'junior' : a < 18 ? rng.pick(['senior', 'vocational'] as const) : 'college'
    child.schooling = child.inSchool === 'vocational' ? 'senior' : child.inSchool
    ms.push(child)
  }
  for (const m of ms) {
    const age = ageAt(m, ref)
    m.labour = baseLabour(m, age, rng)
    if (isAble(m) && age < 56 && rng.chance(0.45)) m.migrantMonths = rng.int(3, 12)
  }
  if (cause === 'labour') {
    // At most one able labourer, and someone old or incapacitated.
    let able = ms.filter(isAble)
    while (able.length > 1) {
      const m = able[able.length - 1]!
      m.labour = 'lost'
      m.migrantMonths = 0
      if (m.health === 'healthy') m.health = 'chronic'
      able = ms.filter(isAble)
    }
    if (!ms.some((m) => m.labour === 'lost' || ageAt(m, ref) >= 60)) {
      const m = ms.find((x) => ageAt(x, ref) >= 16) ?? ms[0]!
      m.labour = 'lost'
      m.migrantMonths = 0
      if (m.health === 'healthy') m.health = rng.chance(0.5) ? 'chronic' : 'disabled'
    }
  }
  return ms
}
