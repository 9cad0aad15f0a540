import { defineLayer } from '../../layer-def.js'
import { theme } from '../../theme.js'
import { FIRST_YEAR, LAST_YEAR } from '../../../domain/codes.js'

const v = theme.villages
const fields = ['code', 'name', 'poverty', 'households', 'poor', 'incidence'] as const

export default defineLayer({
  id: 'villages',
  title: { zh: '村（贫困村）', en: 'Villages (poverty villages)' },
  description:
    'Village polygons with poverty figures of the chosen year: poverty (designated poverty village), households (registered), ' +
    'poor (households poor or returned), incidence (% of rural population poor). Choropleths of other indicators join by code.',
  minzoom: 9,
  maxzoom: 22,
  bands: [
    { minzoom: 9, maxzoom: 11, sql: 'villages.sql', geom: 'geom_z9', note: 'village polygons, 19 m', fields },
    { minzoom: 12, maxzoom: 22, sql: 'villages.sql', geom: 'geom_z12', note: 'village polygons, 2.4 m', fields },
  ],
  fields: { code: 'String', name: 'String', poverty: 'Boolean', households: 'Number', poor: 'Number', incidence: 'Number' },
  filters: {
    year: { kind: 'int', min: FIRST_YEAR, max: LAST_YEAR, default: LAST_YEAR, label: { zh: '年度', en: 'Year' } },
  },
  maxFeatures: 10000,
  personal: false, scopeFree: false, ownSource: false, inBase: true,
  legend: {
    attribute: 'poverty',
    entries: [
      { value: 'true', label: { zh: '贫困村', en: 'Poverty village' }, color: v.poverty, shape: 'fill' },
      { value: 'false', label: { zh: '非贫困村', en: 'Other village' }, color: v.other, shape: 'fill' },
    ],
  },
  style: [
    {
      id: 'villages-fill',
      type: 'fill',
      paint: { 'fill-color': ['case', ['get', 'poverty'], v.poverty, v.other], 'fill-opacity': 0.45, 'fill-outline-color': v.outline },
    },
  ],
})
