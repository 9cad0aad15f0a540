import { defineLayer } from '../../layer-def.js'
import { theme } from '../../theme.js'
import { ASSURANCE_GAPS, FIRST_YEAR, HOUSEHOLD_STATUSES, LAST_YEAR, POVERTY_CAUSES } from '../../../domain/codes.js'

const causeFields = Object.fromEntries(POVERTY_CAUSES.map((c) => [`c_${c}`, 'Number' as const]))
const points = ['ref', 'village_code', 'status', 'main_cause', 'size', 'gaps']
const aggregate = ['code', 'name', 'count', 'people', 'poor', 'lifted', 'returned', ...Object.keys(causeFields)]
const s = theme.status
const causeColor = theme.causes
/** Counts a tile leaves out are zero. */
const countOf = (field: string) => ['coalesce', ['get', field], 0]
/** An aggregate's most frequent main cause (the first of equals). */
const dominantCause = [
  'case',
  ...POVERTY_CAUSES.flatMap((c) => [['all', ...POVERTY_CAUSES.filter((o) => o !== c).map((o) => ['>=', countOf(`c_${c}`), countOf(`c_${o}`)])], causeColor[c]]),
  '#999999',
]

export default defineLayer({
  id: 'households',
  title: { zh: '建档立卡贫困户', en: 'Registered poor households' },
  description:
    'Below z12: aggregates at county/township/village seats with counts by status (poor, lifted, returned) and main cause (c_*). ' +
    'From z12: one point per household (id = internal id, non-sequential; ref = opaque id for URLs; village_code, status, main_cause, size, gaps bitmask 1 food/clothing 2 education 4 medical 8 housing 16 water). ' +
    'Synthetic demo data. Never names, ID numbers or phones.',
  minzoom: 0,
  maxzoom: 22,
  bands: [
    { minzoom: 0, maxzoom: 7, sql: 'aggregates.sql', vars: { level: 'county' }, note: 'per county', fields: aggregate },
    { minzoom: 8, maxzoom: 9, sql: 'aggregates.sql', vars: { level: 'township' }, note: 'per township', fields: aggregate },
    { minzoom: 10, maxzoom: 11, sql: 'aggregates.sql', vars: { level: 'village' }, note: 'per village', fields: aggregate },
    { minzoom: 12, maxzoom: 13, sql: 'points-by-village.sql', note: 'one point per household (year rows read per village)', fields: points },
    { minzoom: 14, maxzoom: 22, sql: 'points.sql', note: 'one point per household', fields: points },
  ],
  functions: ['household_filter_matches.sql', 'household_agg_features.sql', 'household_points_by_village.sql'],
  fields: {
    code: 'String', name: 'String', count: 'Number', people: 'Number', poor: 'Number', lifted: 'Number', returned: 'Number', ...causeFields,
    ref: 'String', village_code: 'String', status: 'String', main_cause: 'String', size: 'Number', gaps: 'Number',
  },
  filters: {
    year: { kind: 'int', min: FIRST_YEAR, max: LAST_YEAR, default: LAST_YEAR, label: { zh: '年度', en: 'Year' } },
    status: { kind: 'enum-list', values: HOUSEHOLD_STATUSES, label: { zh: '状态', en: 'Status' } },
    cause: { kind: 'enum-list', values: POVERTY_CAUSES, label: { zh: '主要致贫原因', en: 'Main cause' } },
    gap: { kind: 'enum-list', values: ASSURANCE_GAPS, label: { zh: '两不愁三保障缺口', en: 'Assurance gap' } },
  },
  maxFeatures: 50000,
  // A source of its own: its filters (year, status, cause, gap) change often, and the client changes its tile URL alone.
  personal: true, scopeFree: false, ownSource: true, inBase: true,
  legend: {
    attribute: 'status',
    entries: [
      { value: 'poor', label: { zh: '未脱贫', en: 'Poor' }, color: s.poor, shape: 'circle' },
      { value: 'lifted', label: { zh: '已脱贫', en: 'Lifted out' }, color: s.lifted, shape: 'circle' },
      { value: 'returned', label: { zh: '返贫', en: 'Returned to poverty' }, color: s.returned, shape: 'circle' },
    ],
  },
  style: [
    {
      id: 'households-aggregate',
      type: 'circle',
      maxzoom: 12,
      filter: ['has', 'count'],
      paint: {
        'circle-color': ['case', ['>', countOf('poor'), 0], s.poor, s.lifted],
        'circle-opacity': 0.75,
        'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 3, 10, 9, 60, 26],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1,
      },
    },
    {
      id: 'households-point',
      type: 'circle',
      minzoom: 12,
      filter: ['has', 'status'],
      paint: {
        'circle-color': ['match', ['get', 'status'], 'poor', s.poor, 'lifted', s.lifted, 'returned', s.returned, '#999999'],
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 2.5, 16, 6],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 0.5,
      },
    },
  ],
  variants: {
    cause: {
      attribute: 'main_cause',
      colors: causeColor,
      paint: {
        'households-point': { 'circle-color': ['match', ['get', 'main_cause'], ...POVERTY_CAUSES.flatMap((c) => [c, causeColor[c]]), '#999999'] },
        'households-aggregate': { 'circle-color': dominantCause },
      },
    },
  },
})
