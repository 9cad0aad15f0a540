import { defineLayer } from '../../layer-def.js'
import { theme } from '../../theme.js'

const r = theme.roads
const classes = ['national', 'provincial', 'county', 'township', 'village'] as const
const names = {
  national: { zh: '国道', en: 'National road' },
  provincial: { zh: '省道', en: 'Provincial road' },
  county: { zh: '县道', en: 'County road' },
  township: { zh: '乡道', en: 'Township road' },
  village: { zh: '村道', en: 'Village road' },
}
const fields = ['class', 'name'] as const

export default defineLayer({
  id: 'roads',
  title: { zh: '道路', en: 'Roads' },
  description: 'Road network by class (synthetic, noded: source/target nodes form a routable graph)',
  minzoom: 5,
  maxzoom: 22,
  bands: [
    { minzoom: 5, maxzoom: 8, sql: 'by-class.sql', vars: { classes: ['national', 'provincial'] }, note: 'national and provincial roads', fields },
    { minzoom: 9, maxzoom: 11, sql: 'by-class.sql', vars: { classes: ['national', 'provincial', 'county', 'township'] }, note: 'down to township roads', fields },
    { minzoom: 12, maxzoom: 22, sql: 'all.sql', note: 'all roads, full detail', fields },
  ],
  fields: { class: 'String', name: 'String' },
  filters: {},
  maxFeatures: 20000,
  personal: false, scopeFree: true, ownSource: false, inBase: true,
  legend: { attribute: 'class', entries: classes.map((k) => ({ value: k, label: names[k], color: r[k], shape: 'line' as const })) },
  style: [
    {
      id: 'roads-casing',
      type: 'line',
      filter: ['in', ['get', 'class'], ['literal', ['national', 'provincial', 'county']]],
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': r.casing, 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 1.5, 14, 7] },
    },
    {
      id: 'roads-line',
      type: 'line',
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: {
        'line-color': ['match', ['get', 'class'], ...classes.flatMap((k) => [k, r[k]]), r.village],
        'line-width': [
          'interpolate', ['linear'], ['zoom'],
          6, ['match', ['get', 'class'], 'national', 1.2, 'provincial', 0.9, 0.5],
          14, ['match', ['get', 'class'], 'national', 5, 'provincial', 4, 'county', 3, 'township', 2, 1.5],
        ],
      },
    },
  ],
})
