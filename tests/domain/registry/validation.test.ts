import { describe, expect, it } from 'vitest'
import { idBirthDate, idCheckChar, idNumberProblem, validateChangeRequest, validateChanges, type FieldError } from '../../../domain/registry/validation.js'
import { CHANGE_KINDS, type ChangeKind } from '../../../domain/registry/enums.js'

const TODAY = new Date(Date.UTC(2024, 5, 1))
/** A valid ID number of 花垣县 with this birth date and sequence (odd third digit: a man). */
export function idNumber(birth = '19800101', seq = '001'): string {
  const first = `433124${birth}${seq}`
  return first + idCheckChar(first)
}
const member = (o: Record<string, unknown> = {}) => ({
  name: '龙大', sex: 'M', idNumber: idNumber(), relation: 'head', ethnicity: 'miao', schooling: 'primary', health: 'healthy', labour: 'ordinary', ...o,
})
const createChanges = (o: Record<string, unknown> = {}) => ({
  villageCode: '433124110226', location: [109.51, 28.31], year: 2020, attribute: 'general', identificationStandard: 'national', mainCause: 'illness',
  incomePerCapita: 2500, members: [member()], ...o,
})
const VALID: Record<ChangeKind, Record<string, unknown>> = {
  'household.create': createChanges(),
  'household.update': { mainCause: 'water', housingAreaM2: 80 },
  'household.exit': { year: 2020, incomePerCapita: 5200 },
  'household.return': { mainCause: 'illness' },
  'household.remove': { removalReason: 'death' },
  'member.add': { member: member({ relation: 'son', idNumber: idNumber('20100505', '012'), sex: 'F' }) },
  'member.update': { memberNo: 2, health: 'chronic' },
  'member.remove': { memberNo: 3, removalReason: 'moved_out' },
  'measure.upsert': { family: 'industry', cadre: '张三', amountYuan: 3000, startDate: '2020-03-01', targetDate: '2020-12-31', status: 'under_way' },
}
const fieldsOf = (e: FieldError[]) => e.map((x) => x.field)

describe('GB 11643 ID numbers', () => {
  it('idCheckChar computes the MOD 11-2 check character (a published example: 11010519491231002X)', () => {
    expect(idCheckChar('11010519491231002')).toBe('X')
    expect(idNumberProblem('11010519491231002X', TODAY)).toBeNull()
  })
  it('idNumberProblem names format, checksum, birth date and future birth', () => {
    expect(idNumberProblem('43312419800101001', TODAY)).toBe('format')
    expect(idNumberProblem(idNumber().slice(0, 17) + 'x', TODAY)).toBe('format')
    const good = idNumber()
    const wrong = good.slice(0, 17) + (good[17] === '0' ? '1' : '0')
    expect(idNumberProblem(wrong, TODAY)).toBe('checksum')
    expect(idNumberProblem(idNumber('19800230'), TODAY)).toBe('birthDate')
    expect(idNumberProblem(idNumber('20300101'), TODAY)).toBe('future')
    expect(idBirthDate(idNumber('19761231'))).toEqual({ year: 1976, month: 12, day: 31 })
  })
})

describe('validateChanges', () => {
  it.each(CHANGE_KINDS)('accepts a valid %s', (kind) => {
    expect(validateChanges(kind, VALID[kind], { today: TODAY })).toEqual([])
  })

  // Each rule with a bad value: the failure names the field and says so in Chinese and English.
  const bad: [string, ChangeKind, Record<string, unknown>, string][] = [
    ['id number format', 'member.add', { member: member({ idNumber: '12345' }) }, 'changes.member.idNumber'],
    ['id number checksum', 'member.add', { member: member({ idNumber: idNumber().slice(0, 17) + (idNumber()[17] === '0' ? '1' : '0') }) }, 'changes.member.idNumber'],
    ['id number birth date', 'member.add', { member: member({ idNumber: idNumber('19801301') }) }, 'changes.member.idNumber'],
    ['id number birth in the future', 'member.add', { member: member({ idNumber: idNumber('20250101') }) }, 'changes.member.idNumber'],
    ['birth year against the id number', 'member.add', { member: member({ birthYear: 1981 }) }, 'changes.member.birthYear'],
    ['birth year in the future', 'member.update', { memberNo: 1, birthYear: 2030 }, 'changes.birthYear'],
    ['sex against the id number', 'member.add', { member: member({ sex: 'F' }) }, 'changes.member.sex'],
    ['relation', 'member.add', { member: member({ relation: 'cousin' }) }, 'changes.member.relation'],
    ['ethnicity', 'member.update', { memberNo: 1, ethnicity: 'martian' }, 'changes.ethnicity'],
    ['schooling', 'member.update', { memberNo: 1, schooling: 'phd' }, 'changes.schooling'],
    ['health', 'member.update', { memberNo: 1, health: 'ok' }, 'changes.health'],
    ['labour', 'member.update', { memberNo: 1, labour: 'lots' }, 'changes.labour'],
    ['migrant months', 'member.update', { memberNo: 1, migrantMonths: 13 }, 'changes.migrantMonths'],
    ['member name required', 'member.add', { member: member({ name: '' }) }, 'changes.member.name'],
    ['member number', 'member.remove', { memberNo: 0 }, 'changes.memberNo'],
    ['main cause', 'household.update', { mainCause: 'laziness' }, 'changes.mainCause'],
    ['other causes repeat the main cause', 'household.update', { mainCause: 'illness', otherCauses: ['illness'] }, 'changes.otherCauses'],
    ['other causes, too many', 'household.update', { otherCauses: ['land', 'water', 'skills'] }, 'changes.otherCauses'],
    ['attribute', 'household.update', { attribute: 'rich' }, 'changes.attribute'],
    ['identification standard', 'household.update', { identificationStandard: 'local' }, 'changes.identificationStandard'],
    ['housing structure', 'household.update', { housingStructure: 'glass' }, 'changes.housingStructure'],
    ['housing safety', 'household.update', { housingSafety: 'E' }, 'changes.housingSafety'],
    ['water source', 'household.update', { waterSource: 'sea' }, 'changes.waterSource'],
    ['income below range', 'household.update', { incomePerCapita: -1 }, 'changes.incomePerCapita'],
    ['income above range', 'household.exit', { incomePerCapita: 2e6 }, 'changes.incomePerCapita'],
    ['housing area', 'household.update', { housingAreaM2: 5000 }, 'changes.housingAreaM2'],
    ['land', 'household.update', { landPaddyMu: -2 }, 'changes.landPaddyMu'],
    ['distance to market', 'household.update', { kmToMarket: 900 }, 'changes.kmToMarket'],
    ['boolean', 'household.update', { waterOk: 'yes' }, 'changes.waterOk'],
    ['phone', 'household.update', { phone: '12345' }, 'changes.phone'],
    ['location outside Hunan', 'household.update', { location: [0, 0] }, 'changes.location'],
    ['outside boundary without reason', 'household.update', { location: [109.6, 28.4], outsideBoundary: { reason: '' } }, 'changes.outsideBoundary.reason'],
    ['year in the future', 'household.exit', { year: 2099 }, 'changes.year'],
    ['year before the registry', 'household.exit', { year: 2010 }, 'changes.year'],
    ['size equals members', 'household.create', createChanges({ size: 3 }), 'changes.size'],
    ['size range', 'household.update', { size: 0 }, 'changes.size'],
    ['one head', 'household.create', createChanges({ members: [member({ relation: 'son' })] }), 'changes.members'],
    ['duplicate id numbers', 'household.create', createChanges({ members: [member(), member({ relation: 'son' })] }), 'changes.members[1].idNumber'],
    ['village code', 'household.create', createChanges({ villageCode: '4331' }), 'changes.villageCode'],
    ['required income on create', 'household.create', createChanges({ incomePerCapita: undefined }), 'changes.incomePerCapita'],
    ['removal reason', 'household.remove', { removalReason: 'bored' }, 'changes.removalReason'],
    ['measure family', 'measure.upsert', { ...VALID['measure.upsert'], family: 'luck' }, 'changes.family'],
    ['measure status', 'measure.upsert', { ...VALID['measure.upsert'], status: 'maybe' }, 'changes.status'],
    ['measure amount', 'measure.upsert', { ...VALID['measure.upsert'], amountYuan: -5 }, 'changes.amountYuan'],
    ['measure date format', 'measure.upsert', { ...VALID['measure.upsert'], startDate: '2020-02-30' }, 'changes.startDate'],
    ['measure started in the future', 'measure.upsert', { ...VALID['measure.upsert'], startDate: '2030-01-01', targetDate: '2031-01-01' }, 'changes.startDate'],
    ['measure target before start', 'measure.upsert', { ...VALID['measure.upsert'], targetDate: '2019-01-01' }, 'changes.targetDate'],
    ['measure cadre', 'measure.upsert', { ...VALID['measure.upsert'], cadre: '' }, 'changes.cadre'],
    ['unknown field', 'household.update', { colour: 'red' }, 'changes.colour'],
    ['empty update', 'household.update', {}, 'changes'],
  ]
  it.each(bad)('refuses %s, naming the field', (_name, kind, changes, field) => {
    const errors = validateChanges(kind, changes, { today: TODAY })
    expect(fieldsOf(errors)).toContain(field)
    const e = errors.find((x) => x.field === field)!
    expect(e.message.zh).toMatch(/[\u4e00-\u9fff]/)
    expect(e.message.en).toMatch(/[a-z]/)
  })

  it('a planned measure may start in the future', () => {
    expect(validateChanges('measure.upsert', { ...VALID['measure.upsert'], status: 'planned', startDate: '2030-01-01', targetDate: '2031-01-01' }, { today: TODAY })).toEqual([])
  })
  it('a form uses its own prefix', () => {
    expect(fieldsOf(validateChanges('household.update', { mainCause: 'x' }, { today: TODAY }, ''))).toEqual(['mainCause'])
  })
})

describe('validateChangeRequest', () => {
  const base = { kind: 'household.update', target: '00000000-0000-4000-8000-000000000001', baseVersion: 1, reason: '入户核实', changes: VALID['household.update'] }
  it('accepts a valid request', () => expect(validateChangeRequest(base, { today: TODAY })).toEqual([]))
  it.each([
    ['kind', { kind: 'household.paint' }],
    ['reason', { reason: '' }],
    ['target', { target: undefined }],
    ['baseVersion', { baseVersion: undefined }],
    ['baseVersion', { baseVersion: 0 }],
    ['attachments', { attachments: ['not-a-ref'] }],
  ])('names %s', (field, o) => {
    expect(fieldsOf(validateChangeRequest({ ...base, ...o }, { today: TODAY }))).toContain(field)
  })
  it('a create takes no target', () => {
    expect(fieldsOf(validateChangeRequest({ ...base, kind: 'household.create', changes: VALID['household.create'], baseVersion: undefined }, { today: TODAY }))).toEqual(['target'])
  })
})
