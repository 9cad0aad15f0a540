import { defineLayer } from '../../layer-def.js'
import { FIRST_YEAR, LAST_YEAR } from '../../../domain/codes.js'

const fields = ['code', 'name', 'households', 'outside', 'bad_ids', 'size_mismatch', 'not_updated', 'no_team', 'problems'] as const
/** Problem counts, light to dark (ColorBrewer OrRd); a village without problems stays clear. */
const classes = [
  { value: '0', min: 0, color: '#fff7ec', label: { zh: '无问题', en: 'No problem' } },
  { value: '1', min: 1, color: '#fdd49e', label: { zh: '1–4 项', en: '1–4 problems' } },
  { value: '5', min: 5, color: '#fc8d59', label: { zh: '5–19 项', en: '5–19 problems' } },
  { value: '20', min: 20, color: '#d7301f', label: { zh: '20 项及以上', en: '20 problems or more' } },
] as const

export default defineLayer({
  id: 'quality',
  title: { zh: '数据质量问题', en: 'Data-quality problems' },
  description:
    'Village polygons with data-quality counters of the chosen year (counts only, never a household): households (registered), ' +
    'outside (households whose point lies outside the village polygon), bad_ids (members without a valid GB 11643 ID number), ' +
    'size_mismatch (household size differs from its member count), not_updated (no registry row for the year), ' +
    'no_team (1 for a poverty village without an active resident work team), problems (their sum). ' +
    'The same counters per area: GET /api/areas/{code}/data-quality.',
  minzoom: 10,
  maxzoom: 22,
  bands: [
    { minzoom: 10, maxzoom: 11, sql: 'quality.sql', geom: 'geom_z9', note: 'village polygons, 19 m', fields },
    { minzoom: 12, maxzoom: 22, sql: 'quality.sql', geom: 'geom_z12', note: 'village polygons, 2.4 m', fields },
  ],
  functions: ['data_quality.sql'],
  fields: {
    code: 'String', name: 'String', households: 'Number', outside: 'Number', bad_ids: 'Number', size_mismatch: 'Number',
    not_updated: 'Number', no_team: 'Number', problems: 'Number',
  },
  filters: {
    year: { kind: 'int', min: FIRST_YEAR, max: LAST_YEAR, default: LAST_YEAR, label: { zh: '年度', en: 'Year' } },
  },
  maxFeatures: 10000,
  personal: false, scopeFree: false, ownSource: true, inBase: false,
  legend: { attribute: 'problems', entries: classes.map((c) => ({ value: c.value, label: c.label, color: c.color, shape: 'fill' as const })) },
  style: [
    {
      id: 'quality-fill',
      type: 'fill',
      paint: {
        'fill-color': ['step', ['get', 'problems'], classes[0].color, classes[1].min, classes[1].color, classes[2].min, classes[2].color, classes[3].min, classes[3].color],
        'fill-opacity': 0.6,
        'fill-outline-color': '#b30000',
      },
    },
  ],
})
