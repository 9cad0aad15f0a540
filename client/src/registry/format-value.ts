/**
 * A field's value as people read it, in the interface's language: coded values by their labels, yes/no,
 * a location as "lon, lat". Used by the review diff, the history timeline and the conflict table.
 */
import { HOUSEHOLD_SPECS, MEASURE_SPECS, MEMBER_SPECS, STATUS_SPECS } from './form-model.js'

/** The i18n group of each coded field (the specs', plus the status and the kind). */
export const FIELD_GROUPS: Readonly<Record<string, string>> = {
  ...Object.fromEntries([...HOUSEHOLD_SPECS, ...MEMBER_SPECS, ...MEASURE_SPECS, ...Object.values(STATUS_SPECS).flat()].filter((s) => s.group).map((s) => [s.key, s.group!])),
  status: 'registry.statuses',
  kind: 'registry.kinds',
}

/** Measure status and household status share the field name: the measure's keeps its own group. */
const groupOf = (field: string, kind?: string): string | undefined => {
  const last = field.replace(/\[\d+\]/g, '').split('.').pop() ?? field
  if (last === 'status' && kind === 'measure.upsert') return 'registry.measureStatuses'
  return FIELD_GROUPS[last]
}

/** The message key of a coded value: values with dots (kinds such as household.exit) go in brackets, or vue-i18n would read them as nesting. */
export const valueKey = (group: string, v: string) => (v.includes('.') ? `${group}['${v}']` : `${group}.${v}`)
/** The label of a kind of change. */
export const kindKey = (kind: string) => valueKey('registry.kinds', kind)

export type Translate = { t: (key: string) => string; te: (key: string) => boolean }

export function formatValue(field: string, v: unknown, tr: Translate, kind?: string): string {
  if (v === null || v === undefined || v === '') return '—'
  if (typeof v === 'boolean') return tr.t(v ? 'registry.form.yes' : 'registry.form.no')
  const last = field.replace(/\[\d+\]/g, '').split('.').pop() ?? field
  if (last === 'location' && Array.isArray(v)) return v.map((x) => (typeof x === 'number' ? x.toFixed(5) : String(x))).join(', ')
  const group = groupOf(field, kind)
  const one = (x: unknown) => {
    const s = typeof x === 'object' ? JSON.stringify(x) : String(x)
    return group && tr.te(valueKey(group, s)) ? tr.t(valueKey(group, s)) : s
  }
  if (Array.isArray(v)) return v.length ? v.map(one).join('、') : '—'
  if (typeof v === 'object') return JSON.stringify(v)
  return one(v)
}
