import { describe, expect, it } from 'vitest'
import { diffRows, flatten } from '../../../client/src/registry/change-diff.js'
import { formatValue, valueKey } from '../../../client/src/registry/format-value.js'

describe('a change request side by side', () => {
  it('an update: each changed field with its value before and the proposed one', () => {
    const rows = diffRows({ kind: 'household.update', changes: { incomePerCapita: 4200, mainCause: 'illness' } }, { incomePerCapita: 3600, mainCause: 'illness' })
    expect(rows).toEqual([
      { field: 'incomePerCapita', before: 3600, after: 4200, changed: true },
      { field: 'mainCause', before: 'illness', after: 'illness', changed: false },
    ])
  })

  it('an exit adds the status row, poor → lifted', () => {
    const rows = diffRows({ kind: 'household.exit', changes: { year: 2020, note: '收入达标' } }, { status: 'poor', year: 2020 })
    expect(rows[0]).toEqual({ field: 'status', before: 'poor', after: 'lifted', changed: true })
    expect(rows.map((r) => r.field)).toEqual(['status', 'year', 'note'])
  })

  it('a new household: every field is new, members flattened by position', () => {
    const rows = diffRows({ kind: 'household.create', changes: { villageCode: '433124110226', members: [{ name: '龙某', relation: 'head' }, { name: '石某', relation: 'spouse' }] } }, { villageCode: 'x' })
    expect(rows.map((r) => [r.field, r.before, r.after])).toEqual([
      ['villageCode', null, '433124110226'],
      ['members[0].name', null, '龙某'],
      ['members[0].relation', null, 'head'],
      ['members[1].name', null, '石某'],
      ['members[1].relation', null, 'spouse'],
    ])
    expect(rows.every((r) => r.changed)).toBe(true)
  })

  it('a member change compares with that member', () => {
    const rows = diffRows({ kind: 'member.update', changes: { memberNo: 2, health: 'chronic' } }, { members: [{ health: 'healthy' }, { health: 'serious' }] })
    expect(rows).toEqual([{ field: 'health', before: 'serious', after: 'chronic', changed: true }])
  })

  it('flattens nested objects, keeps lists of plain values whole', () => {
    expect(flatten({ a: { b: 1 }, c: ['x', 'y'], d: [{ e: 2 }] })).toEqual({ 'a.b': 1, c: ['x', 'y'], 'd[0].e': 2 })
  })

  it('formats values by their field: coded labels, yes/no, a location, kinds with dots', () => {
    const labels: Record<string, string> = { 'causes.illness': '因病', 'causes.skills': '缺技术', 'registry.form.yes': '是', 'registry.form.no': '否', "registry.kinds['household.exit']": '脱贫退出', 'registry.statuses.lifted': '已脱贫', 'registry.measureStatuses.done': '已完成' }
    const tr = { t: (k: string) => labels[k] ?? `?${k}`, te: (k: string) => k in labels }
    expect(formatValue('mainCause', 'illness', tr)).toBe('因病')
    expect(formatValue('otherCauses', ['illness', 'skills'], tr)).toBe('因病、缺技术')
    expect(formatValue('waterOk', false, tr)).toBe('否')
    expect(formatValue('location', [109.51234567, 28.3], tr)).toBe('109.51235, 28.30000')
    expect(formatValue('kind', 'household.exit', tr)).toBe('脱贫退出')
    expect(formatValue('status', 'lifted', tr)).toBe('已脱贫')
    expect(formatValue('status', 'done', tr, 'measure.upsert')).toBe('已完成')
    expect(formatValue('note', null, tr)).toBe('—')
    expect(valueKey('registry.kinds', 'member.add')).toBe("registry.kinds['member.add']")
  })
})
