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

export default defineLayer({
  id: 'projects',
  title: { zh: '扶贫项目', en: 'Projects' },
  description: 'Poverty-alleviation projects by type and stage (synthetic); budget_wan and spent_wan in 10,000 yuan',
  minzoom: 8,
  maxzoom: 22,
  bands: [{ minzoom: 8, maxzoom: 22, sql: 'z8-22.sql', note: 'all projects', fields: ['type', 'stage', 'year', 'name', 'budget_wan', 'spent_wan'] }],
  fields: { type: 'String', stage: 'String', year: 'Number', name: 'String', budget_wan: 'Number', spent_wan: 'Number' },
  filters: {
    type: { kind: 'enum-list', values: PROJECT_TYPES, label: { zh: '类型', en: 'Type' } },
    stage: { kind: 'enum-list', values: PROJECT_STAGES, label: { zh: '阶段', en: 'Stage' } },
  },
  maxFeatures: 10000,
  personal: false,
  inBase: true,
  legend: { attribute: 'type', entries: PROJECT_TYPES.map((t) => ({ value: t, label: names[t], color: p[t], shape: 'circle' as const })) },
  style: [
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
        'circle-stroke-color': ['match', ['get', 'stage'], 'completed', '#ffffff', 'evaluated', '#ffffff', '#222222'],
        'circle-stroke-width': 1.5,
      },
    },
  ],
})
