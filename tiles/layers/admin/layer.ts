import { defineLayer } from '../../layer-def.js'
import { theme } from '../../theme.js'

const c = theme.admin
const levelColor = ['match', ['get', 'level'], 'province', c.province, 'prefecture', c.prefecture, 'county', c.county, 'township', c.township, c.village]
const fields = ['code', 'name', 'level', 'label'] as const
/** A band's outlines (levels, in that geometry column) and label points (label levels). */
const outlines = (geom: string, levels: string[], labels: string[]) => ({ sql: 'outlines.sql', geom, vars: { levels, labels } })

export default defineLayer({
  id: 'admin',
  title: { zh: '行政区划', en: 'Administrative divisions' },
  description: 'Province, prefecture, county, township and village outlines (level attribute) and label points (label = true) at their seats',
  minzoom: 0,
  maxzoom: 22,
  bands: [
    { minzoom: 0, maxzoom: 6, ...outlines('geom_z6', ['province', 'prefecture', 'county'], ['prefecture']), note: 'province, prefectures, counties; 150 m generalisation', fields },
    { minzoom: 7, maxzoom: 9, ...outlines('geom_z9', ['prefecture', 'county', 'township'], ['county', 'township']), note: 'prefectures, counties, townships; 19 m', fields },
    { minzoom: 10, maxzoom: 12, ...outlines('geom_z12', ['county', 'township', 'village'], ['township', 'village']), note: 'counties, townships, villages; 2.4 m', fields },
    { minzoom: 13, maxzoom: 22, ...outlines('geom_3857', ['township', 'village'], ['village']), note: 'townships and villages, full detail', fields },
  ],
  fields: { code: 'String', name: 'String', level: 'String', label: 'Boolean' },
  filters: {},
  maxFeatures: 20000,
  personal: false, scopeFree: false, ownSource: false, inBase: true,
  legend: {
    attribute: 'level',
    entries: [
      { value: 'prefecture', label: { zh: '市州界', en: 'Prefecture boundary' }, color: c.prefecture, shape: 'line' },
      { value: 'county', label: { zh: '县市区界', en: 'County boundary' }, color: c.county, shape: 'line' },
      { value: 'township', label: { zh: '乡镇界', en: 'Township boundary' }, color: c.township, shape: 'line' },
      { value: 'village', label: { zh: '村界', en: 'Village boundary' }, color: c.village, shape: 'line' },
    ],
  },
  style: [
    {
      id: 'admin-line',
      type: 'line',
      filter: ['all', ['==', ['geometry-type'], 'Polygon'], ['!=', ['get', 'level'], 'province']],
      paint: {
        'line-color': levelColor,
        'line-width': ['match', ['get', 'level'], 'prefecture', 1.6, 'county', 1.1, 'township', 0.8, 0.5],
        'line-dasharray': ['literal', [3, 1.5]],
      },
    },
    {
      id: 'admin-province-line',
      type: 'line',
      filter: ['all', ['==', ['geometry-type'], 'Polygon'], ['==', ['get', 'level'], 'province']],
      paint: { 'line-color': c.province, 'line-width': 2.5 },
    },
    {
      id: 'admin-label',
      type: 'symbol',
      filter: ['==', ['get', 'label'], true],
      layout: {
        'text-field': ['get', 'name'],
        'text-size': ['match', ['get', 'level'], 'prefecture', 15, 'county', 13, 'township', 12, 11],
        'text-font': ['literal', ['Noto Sans CJK SC Regular']],
      },
      paint: { 'text-color': c.label, 'text-halo-color': c.halo, 'text-halo-width': 1.5 },
    },
  ],
})
