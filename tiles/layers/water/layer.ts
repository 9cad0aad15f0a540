import { defineLayer } from '../../layer-def.js'
import { theme } from '../../theme.js'

const w = theme.water
const fields = ['kind', 'name'] as const

export default defineLayer({
  id: 'water',
  title: { zh: '水系与供水', en: 'Water' },
  description: 'Rivers, Dongting Lake, reservoirs (synthetic shapes, real names for the main ones) and drinking-water supply works',
  minzoom: 0,
  maxzoom: 22,
  bands: [
    { minzoom: 0, maxzoom: 8, sql: 'main.sql', vars: { min_order: 3 }, note: 'lakes, reservoirs, main rivers', fields },
    { minzoom: 9, maxzoom: 11, sql: 'main.sql', vars: { min_order: 2 }, note: 'plus tributaries', fields },
    { minzoom: 12, maxzoom: 22, sql: 'all.sql', note: 'everything incl. supply works', fields },
  ],
  fields: { kind: 'String', name: 'String' },
  filters: {},
  maxFeatures: 20000,
  personal: false, scopeFree: true, ownSource: false, inBase: true,
  legend: {
    attribute: 'kind',
    entries: [
      { value: 'river', label: { zh: '河流', en: 'River' }, color: w.line, shape: 'line' },
      { value: 'lake', label: { zh: '湖泊', en: 'Lake' }, color: w.fill, shape: 'fill' },
      { value: 'reservoir', label: { zh: '水库', en: 'Reservoir' }, color: w.fill, shape: 'fill' },
      { value: 'supply_works', label: { zh: '供水工程', en: 'Water supply works' }, color: w.works, shape: 'circle' },
    ],
  },
  style: [
    { id: 'water-fill', type: 'fill', filter: ['in', ['get', 'kind'], ['literal', ['lake', 'reservoir']]], paint: { 'fill-color': w.fill } },
    {
      id: 'water-river',
      type: 'line',
      filter: ['==', ['get', 'kind'], 'river'],
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': w.line, 'line-width': ['interpolate', ['linear'], ['zoom'], 5, 0.8, 12, 2.5] },
    },
    {
      id: 'water-works',
      type: 'circle',
      filter: ['==', ['get', 'kind'], 'supply_works'],
      paint: { 'circle-color': w.works, 'circle-radius': 4, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1 },
    },
  ],
})
