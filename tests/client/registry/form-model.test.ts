import { describe, expect, it } from 'vitest'
import {
  HOUSEHOLD_SPECS,
  MEMBER_SPECS,
  STATUS_SPECS,
  changedValues,
  checkChanges,
  checkRequest,
  fieldLabel,
  filledValues,
  householdValues,
  messagesByField,
} from '../../../client/src/registry/form-model.js'
import type { HouseholdRecord } from '../../../client/src/registry/registry-api.js'
import { idCheckChar } from '../../../domain/registry/validation.js'

/** A popup-shaped record as GET /api/households/{ref} answers it. */
const record: HouseholdRecord = {
  ref: '6f1c1a57-0c1e-4f7e-9a0b-1f2e3d4c5b6a',
  villageCode: '433124110226',
  villageName: '十八洞村',
  year: 2020,
  status: 'poor',
  size: 3,
  version: 4,
  attribute: 'general',
  identificationStandard: 'national',
  mainCause: 'illness',
  otherCauses: ['skills'],
  incomePerCapita: 3600,
  assurance: { food_clothing: true, education: true, medical: false, housing: true, water: true },
  housing: { safety: 'B', structure: 'brick_wood', areaM2: 80, relocated: false },
  water: { source: 'tap', difficulty: false },
  roadHardened: true,
  kmToMarket: 6.5,
}
const VALID_ID = (() => {
  const first = '43312419800101001'
  return first + idCheckChar(first)
})()

describe('edit forms: values, changes and the shared validation', () => {
  it('starts an update from the record, the grouped popup shape read field by field', () => {
    const v = householdValues(record)
    expect(v).toMatchObject({ attribute: 'general', mainCause: 'illness', otherCauses: ['skills'], incomePerCapita: 3600, medicalOk: false, educationOk: true, housingSafety: 'B', housingStructure: 'brick_wood', housingAreaM2: 80, waterSource: 'tap', roadHardened: true, kmToMarket: 6.5 })
    // Fields the record does not hold start empty, not undefined (so an untouched field is not a change).
    expect(v.cookingFuel).toBeNull()
    expect(Object.keys(v).sort()).toEqual(HOUSEHOLD_SPECS.map((s) => s.key).sort())
    // The server's flat names win when it answers them.
    expect(householdValues({ ...record, cookingFuel: 'lpg', medicalOk: true }).cookingFuel).toBe('lpg')
    expect(householdValues({ ...record, cookingFuel: 'lpg', medicalOk: true }).medicalOk).toBe(true)
  })

  it('sends only what differs; an emptied optional field is a null, text is trimmed', () => {
    const initial = householdValues(record)
    const edited = { ...initial, incomePerCapita: 4200, housingAreaM2: '', otherCauses: ['skills'], mainCause: 'illness' }
    expect(changedValues(edited, initial, HOUSEHOLD_SPECS)).toEqual({ incomePerCapita: 4200, housingAreaM2: null })
    expect(changedValues(initial, initial, HOUSEHOLD_SPECS)).toEqual({})
    expect(filledValues({ year: null, incomePerCapita: 4100, note: '  入户核实  ' }, STATUS_SPECS['household.exit'])).toEqual({ incomePerCapita: 4100, note: '入户核实' })
  })

  it('shows the shared module’s message per field, in Chinese and in English, before anything is sent', () => {
    const bad = { incomePerCapita: -5, otherCauses: ['illness'], mainCause: 'illness' }
    const zh = checkChanges('household.update', bad, 'zh-CN')
    expect(zh.incomePerCapita).toBe('人均纯收入应在 0 至 1000000 之间')
    expect(zh.otherCauses).toContain('其他致贫原因')
    const en = checkChanges('household.update', bad, 'en')
    expect(en.incomePerCapita).toBe('Net income per person must be between 0 and 1000000')
    // A member with a wrong check digit, keyed by the form's path under `member.`.
    const wrongCheck = VALID_ID.slice(0, 17) + (VALID_ID[17] === '0' ? '1' : '0')
    const member = filledValues({ name: '龙某', sex: 'M', idNumber: wrongCheck, relation: 'son', ethnicity: 'miao', schooling: 'junior', health: 'healthy', labour: 'ordinary' }, MEMBER_SPECS)
    expect(checkChanges('member.add', { member }, 'zh-CN')['member.idNumber']).toBe('身份证号校验码错误（GB 11643）')
    expect(checkChanges('member.add', { member: { ...member, idNumber: VALID_ID } }, 'zh-CN')).toEqual({})
  })

  it('checks the whole request: a reason is required, the target and version with it', () => {
    const m = checkRequest('household.exit', {}, '', record.ref, record.version, 'zh-CN')
    expect(Object.keys(m)).toEqual(['reason'])
    expect(m.reason).toBe('变更理由应为 1 至 500 个字')
    expect(checkRequest('household.exit', {}, '2020年收入超过贫困线', record.ref, record.version, 'zh-CN')).toEqual({})
    expect(checkRequest('household.exit', {}, '理由', undefined, undefined, 'en').target).toBe('Target household is required')
  })

  it('maps the server’s 400 fields ({ zh, en } messages under changes.) to the form’s paths', () => {
    const fields = [
      { field: 'changes.members[0].idNumber', message: { zh: '身份证号已在扶贫对象库中登记', en: 'ID number is already in the registry' } },
      { field: 'changes.location', message: { zh: '户位置不在所属村界内', en: 'Location lies outside' } },
      { field: 'reason', message: 'plain text' },
    ]
    expect(messagesByField(fields, 'zh-CN')).toEqual({ 'members[0].idNumber': '身份证号已在扶贫对象库中登记', location: '户位置不在所属村界内', reason: 'plain text' })
    expect(messagesByField(fields, 'en')['members[0].idNumber']).toBe('ID number is already in the registry')
  })

  it('names fields as the shared module does', () => {
    expect(fieldLabel('changes.members[2].idNumber', 'zh-CN')).toBe('身份证号')
    expect(fieldLabel('outsideBoundary.reason', 'en')).toBe('Reason for lying outside the village')
    expect(fieldLabel('incomePerCapita', 'zh-CN')).toBe('人均纯收入')
  })
})
