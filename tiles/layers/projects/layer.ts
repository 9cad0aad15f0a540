import { defineLayer } from '../../layer-def.js'
import { theme } from '../../theme.js'
import { PROJECT_STAGES, PROJECT_TYPES } from '../../../domain/codes.js'

const p = theme.projects
const names: Record<(typeof PROJECT_TYPES)[number], { zh: string; en: string }> = {
  road: { zh: '道路', en: 'Road' },
  water: { zh: '饮水', en: 'Water' },
  housing: { zh: '危房改造', en: 'Housing renovation' },
  relocation: { zh: '易地扶贫搬迁', en: 'Relocation' },
  industry: { zh: '产业', en: 'Industry' },
  education: { zh: '教育', en: 'Education' },
  health: { zh: '医疗', en: 'Health' },
}
const typeColor = ['match', ['get', 'type'], ...PROJECT_TYPES.flatMap((t) => [t, p[t]]), '#666666']
/** Polygon features (MapLibre reports a feature with several polygons as MultiPolygon). */
const isPolygon = ['match', ['geometry-type'], ['Polygon', 'MultiPolygon'], true, false]
/** Stages where the work is done: solid outlines (the points' white stroke); dashed while planned or in construction. */
const DONE_STAGES = ['completed', 'evaluated']

export default defineLayer({
  id: 'projects',
  title: { zh: '扶贫项目', en: 'Projects' },
  description: 'Poverty-alleviation projects by type and stage (synthetic); budget_wan and spent_wan in 10,000 yuan',
  minzoom: 8,
  maxzoom: 22,
  bands: [{ minzoom: 8, maxzoom: 22, sql: 'all.sql', note: 'all projects', fields: ['type', 'stage', 'year', 'name', 'budget_wan', 'spent_wan'] }],
  fields: { type: 'String', stage: 'String', year: 'Number', name: 'String', budget_wan: 'Number', spent_wan: 'Number' },
  filters: {
    type: { kind: 'enum-list', values: PROJECT_TYPES, label: { zh: '类型', en: 'Type' } },
    stage: { kind: 'enum-list', values: PROJECT_STAGES, label: { zh: '阶段', en: 'Stage' } },
  },
  maxFeatures: 10000,
  personal: false, scopeFree: false, ownSource: false, inBase: true,
  legend: { attribute: 'type', entries: PROJECT_TYPES.map((t) => ({ value: t, label: names[t], color: p[t], shape: 'circle' as const })) },
  // Areas (relocation sites, industrial parks, housing blocks…) under the lines and points.
  style: [
    { id: 'projects-fill', type: 'fill', filter: isPolygon, paint: { 'fill-color': typeColor, 'fill-opacity': 0.35 } },
    {
      id: 'projects-outline',
      type: 'line',
      filter: isPolygon,
      paint: {
        'line-color': typeColor,
        'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1, 14, 2.5],
        'line-dasharray': ['match', ['get', 'stage'], DONE_STAGES, ['literal', [1, 0]], ['literal', [3, 2]]],
      },
    },
    {
      id: 'projects-line',
      type: 'line',
      filter: ['==', ['geometry-type'], 'LineString'],
      paint: { 'line-color': typeColor, 'line-width': 3, 'line-dasharray': ['literal', [2, 1]] },
    },
    {
      id: 'projects-point',
      type: 'circle',
      filter: ['==', ['geometry-type'], 'Point'],
      paint: {
        'circle-color': typeColor,
        'circle-radius': 5,
        'circle-stroke-color': ['match', ['get', 'stage'], DONE_STAGES, '#ffffff', '#222222'],
        'circle-stroke-width': 1.5,
      },
    },
  ],
})
