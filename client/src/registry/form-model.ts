/**
 * The edit forms' model, without Vue: which fields each kind of change asks for, the values a form
 * starts from (the household or member as it is), the `changes` a form sends (only what differs), and
 * the field messages of the shared validation (domain/registry/validation.ts, the API's own rules) in
 * the interface's language, before anything is sent, and of the server's 400 after.
 */
import {
  COOKING_FUELS,
  ETHNICITIES,
  HEALTH_STATES,
  HOUSEHOLD_ATTRIBUTES,
  HOUSING_SAFETY,
  HOUSING_STRUCTURES,
  IDENTIFICATION_STANDARDS,
  IN_SCHOOL_STAGES,
  LABOUR_CAPACITIES,
  MEASURE_FAMILIES,
  MEASURE_STATUSES,
  MEMBER_RELATIONS,
  POVERTY_CAUSES,
  REMOVAL_REASONS,
  SCHOOLING_LEVELS,
  SEXES,
  WATER_SOURCES,
  type ChangeKind,
} from '../../../domain/registry/enums.js'
import { FIELD_LABELS, validateChangeRequest, validateChanges, type FieldError, type Message } from '../../../domain/registry/validation.js'
import type { FieldProblem, HouseholdRecord, Measure } from './registry-api.js'

export type FieldType = 'enum' | 'enums' | 'number' | 'integer' | 'bool' | 'text' | 'textarea' | 'date'
export interface FieldSpec {
  key: string
  type: FieldType
  options?: readonly string[]
  /** The i18n group of the options' labels (e.g. 'causes' → t('causes.illness')). */
  group?: string
  /** May be left empty (sent as null, or not at all for a new record). */
  optional?: boolean
  /** Unit shown after the input. */
  unit?: string
}

const e = (key: string, options: readonly string[], group: string, optional = false): FieldSpec => ({ key, type: 'enum', options, group, optional })
const n = (key: string, unit?: string, optional = false): FieldSpec => ({ key, type: 'number', unit, optional })
const b = (key: string): FieldSpec => ({ key, type: 'bool' })

/** The household's own fields and its registry year's, as the update form lists them. */
export const HOUSEHOLD_SPECS: readonly FieldSpec[] = [
  e('attribute', HOUSEHOLD_ATTRIBUTES, 'attributes'),
  e('identificationStandard', IDENTIFICATION_STANDARDS, 'registry.standards'),
  e('mainCause', POVERTY_CAUSES, 'causes'),
  { key: 'otherCauses', type: 'enums', options: POVERTY_CAUSES, group: 'causes' },
  n('incomePerCapita', '元'),
  b('foodClothingOk'),
  b('educationOk'),
  b('medicalOk'),
  b('housingOk'),
  b('waterOk'),
  n('housingAreaM2', 'm²', true),
  e('housingStructure', HOUSING_STRUCTURES, 'structures', true),
  e('housingSafety', HOUSING_SAFETY, 'registry.safety', true),
  b('relocated'),
  e('waterSource', WATER_SOURCES, 'waterSources', true),
  b('waterDifficulty'),
  e('cookingFuel', COOKING_FUELS, 'registry.fuels', true),
  b('roadHardened'),
  n('kmToMarket', 'km', true),
  n('landPaddyMu', '亩', true),
  n('landDryMu', '亩', true),
  n('landForestMu', '亩', true),
]

export const MEMBER_SPECS: readonly FieldSpec[] = [
  { key: 'name', type: 'text' },
  e('sex', SEXES, 'registry.sexes'),
  { key: 'idNumber', type: 'text' },
  e('relation', MEMBER_RELATIONS, 'relations'),
  e('ethnicity', ETHNICITIES, 'registry.ethnicities'),
  { key: 'birthYear', type: 'integer', optional: true },
  e('schooling', SCHOOLING_LEVELS, 'registry.schooling'),
  e('inSchool', IN_SCHOOL_STAGES, 'registry.inSchool', true),
  e('health', HEALTH_STATES, 'health'),
  e('labour', LABOUR_CAPACITIES, 'labour'),
  { key: 'migrantMonths', type: 'integer', optional: true },
  b('dibao'),
  b('wubao'),
  b('medicalInsurance'),
  b('pension'),
]

export const MEASURE_SPECS: readonly FieldSpec[] = [
  e('family', MEASURE_FAMILIES, 'registry.families'),
  { key: 'title', type: 'text', optional: true },
  { key: 'cadre', type: 'text' },
  n('amountYuan', '元'),
  { key: 'startDate', type: 'date' },
  { key: 'targetDate', type: 'date' },
  e('status', MEASURE_STATUSES, 'registry.measureStatuses'),
  { key: 'note', type: 'textarea', optional: true },
]

/** The status changes: exit (脱贫), return (返贫), removal (自然减少) with its reason. */
export const STATUS_SPECS: Readonly<Record<'household.exit' | 'household.return' | 'household.remove', readonly FieldSpec[]>> = {
  'household.exit': [{ key: 'year', type: 'integer', optional: true }, n('incomePerCapita', '元', true), { key: 'note', type: 'textarea', optional: true }],
  'household.return': [{ key: 'year', type: 'integer', optional: true }, e('mainCause', POVERTY_CAUSES, 'causes', true), n('incomePerCapita', '元', true), { key: 'note', type: 'textarea', optional: true }],
  'household.remove': [e('removalReason', REMOVAL_REASONS, 'registry.removalReasons'), { key: 'note', type: 'textarea', optional: true }],
}

export type Values = Record<string, unknown>

/** A field's label in the interface's language (the shared module's names). */
export function fieldLabel(path: string, locale: string): string {
  const bare = path.replace(/^changes\./, '').replace(/\[\d+\]/g, '')
  const last = bare.split('.').pop() ?? bare
  const m: Message | undefined = FIELD_LABELS[bare] ?? FIELD_LABELS[last]
  return m ? (locale.startsWith('zh') ? m.zh : m.en) : last
}

const GAP_OF: Record<string, string> = { foodClothingOk: 'food_clothing', educationOk: 'education', medicalOk: 'medical', housingOk: 'housing', waterOk: 'water' }

/**
 * The update form's starting values from GET /api/households/{ref}: the flat field names where the
 * server answers them, else read from the popup's grouped shape (housing.*, water.*, assurance.*).
 */
export function householdValues(r: HouseholdRecord): Values {
  const flat = (k: string) => (k in r ? r[k] : undefined)
  const grouped: Values = {
    attribute: r.attribute,
    identificationStandard: r.identificationStandard,
    mainCause: r.mainCause,
    otherCauses: [...(r.otherCauses ?? [])],
    incomePerCapita: r.incomePerCapita,
    housingAreaM2: r.housing?.areaM2 ?? null,
    housingStructure: r.housing?.structure ?? null,
    housingSafety: r.housing?.safety ?? null,
    relocated: r.housing?.relocated,
    waterSource: r.water?.source ?? null,
    waterDifficulty: r.water?.difficulty,
    roadHardened: r.roadHardened,
    kmToMarket: r.kmToMarket ?? null,
    landPaddyMu: r.land?.paddyMu ?? null,
    landDryMu: r.land?.dryMu ?? null,
    landForestMu: r.land?.forestMu ?? null,
  }
  for (const [k, gap] of Object.entries(GAP_OF)) grouped[k] = r.assurance?.[gap]
  const out: Values = {}
  for (const s of HOUSEHOLD_SPECS) {
    const v = flat(s.key) ?? grouped[s.key]
    out[s.key] = v === undefined ? (s.type === 'enums' ? [] : null) : Array.isArray(v) ? [...v] : v
  }
  return out
}

export function measureValues(m: Measure | null, today: string): Values {
  if (!m) return { family: null, title: '', cadre: '', amountYuan: null, startDate: today, targetDate: null, status: 'planned', note: '' }
  return { measureId: m.id, family: m.family, title: m.title ?? '', cadre: m.cadre, amountYuan: m.amountYuan, startDate: m.startDate?.slice(0, 10), targetDate: m.targetDate?.slice(0, 10), status: m.status, note: '' }
}

export const emptyMember = (): Values => ({
  name: '', sex: null, idNumber: '', relation: null, ethnicity: 'han', birthYear: null, schooling: null, inSchool: null, health: 'healthy', labour: null,
  migrantMonths: 0, dibao: false, wubao: false, medicalInsurance: true, pension: false,
})

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
const blank = (v: unknown) => v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v))

/**
 * What an edit changes: the fields whose value differs from where the form started. An emptied optional
 * field is sent as null (cleared); text is trimmed.
 */
export function changedValues(values: Values, initial: Values, specs: readonly FieldSpec[]): Values {
  const out: Values = {}
  for (const s of specs) {
    let v = values[s.key]
    if (typeof v === 'string') v = v.trim()
    if (blank(v)) v = null
    if (!same(v, initial[s.key])) out[s.key] = v
  }
  return out
}

/** A whole new record (member to add, measure, status change): every field with a value; empty optional ones left out. */
export function filledValues(values: Values, specs: readonly FieldSpec[]): Values {
  const out: Values = {}
  for (const s of specs) {
    let v = values[s.key]
    if (typeof v === 'string') v = v.trim()
    if (blank(v) || (s.type === 'enums' && Array.isArray(v) && v.length === 0 && s.optional)) continue
    out[s.key] = v
  }
  if ('measureId' in values && values.measureId != null) out.measureId = values.measureId
  return out
}

/** A message of the shared module, or one of the server's (a string, or { zh, en }), in the interface's language. */
export function messageText(m: unknown, locale: string): string {
  if (typeof m === 'string') return m
  if (m && typeof m === 'object' && 'zh' in m && 'en' in m) return locale.startsWith('zh') ? String((m as Message).zh) : String((m as Message).en)
  return String(m)
}

/**
 * Field messages keyed by the form's own path (`changes.` taken off: `mainCause`, `member.idNumber`,
 * `members[0].name`), the first per field. Works for the shared module's errors and the server's 400 `fields`.
 */
export function messagesByField(errors: readonly (FieldError | FieldProblem)[], locale: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const err of errors) {
    const key = err.field.replace(/^changes\.?/, '') || 'changes'
    out[key] ??= messageText(err.message, locale)
  }
  return out
}

/** The shared module's verdict on a request before it is sent: field → message; empty when it may go. */
export function checkRequest(kind: ChangeKind, changes: Values, reason: string, target: string | undefined, baseVersion: number | undefined, locale: string): Record<string, string> {
  const errors = validateChangeRequest({ kind, changes, reason, ...(target !== undefined ? { target, baseVersion } : {}) })
  return messagesByField(errors, locale)
}

/** Only the changes' messages (while typing, before a reason is given). */
export function checkChanges(kind: ChangeKind, changes: Values, locale: string): Record<string, string> {
  return messagesByField(validateChanges(kind, changes), locale)
}

/** Parses what a number input holds ('' → null). */
export function toNumber(v: unknown): number | null {
  if (v === '' || v === null || v === undefined) return null
  const x = typeof v === 'number' ? v : Number(String(v).trim())
  return Number.isFinite(x) ? x : Number.NaN
}
