import { defineLayer, type Localised } from './layer-def.js'

/** Schools and clinics share their shape: points by level, more levels as the map zooms in. */
export function facilityLayer(opts: {
  id: 'schools' | 'clinics'
  title: Localised
  description: string
  levels: readonly [string, string, string]
  levelNames: Record<string, Localised>
  colors: Record<string, string>
  numberFields: readonly string[]
}) {
  const fields = ['level', 'name', ...opts.numberFields] as const
  const [top, mid] = opts.levels
  return defineLayer({
    id: opts.id,
    title: opts.title,
    description: opts.description,
    minzoom: 8,
    maxzoom: 22,
    bands: [
      { minzoom: 8, maxzoom: 10, sql: 'by-level.sql', vars: { levels: [top] }, note: `${top} only`, fields },
      { minzoom: 11, maxzoom: 12, sql: 'by-level.sql', vars: { levels: [top, mid] }, note: `${top} and ${mid}`, fields },
      { minzoom: 13, maxzoom: 22, sql: 'all.sql', note: 'all levels', fields },
    ],
    fields: { level: 'String', name: 'String', ...Object.fromEntries(opts.numberFields.map((f) => [f, 'Number' as const])) },
    filters: {},
    maxFeatures: 10000,
    personal: false, scopeFree: true, ownSource: false, inBase: true,
    legend: {
      attribute: 'level',
      entries: opts.levels.map((l) => ({ value: l, label: opts.levelNames[l]!, color: opts.colors[l]!, shape: 'circle' as const })),
    },
    style: [
      {
        id: `${opts.id}-circle`,
        type: 'circle',
        paint: {
          'circle-color': ['match', ['get', 'level'], ...opts.levels.flatMap((l) => [l, opts.colors[l]!]), '#888888'],
          'circle-radius': ['match', ['get', 'level'], opts.levels[0], 6, opts.levels[1], 4.5, 3.5],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 1,
        },
      },
      {
        id: `${opts.id}-label`,
        type: 'symbol',
        minzoom: 13,
        layout: { 'text-field': ['get', 'name'], 'text-size': 11, 'text-offset': [0, 1.1], 'text-anchor': 'top', 'text-font': ['literal', ['Noto Sans CJK SC Regular']] },
        paint: { 'text-color': '#333333', 'text-halo-color': '#ffffff', 'text-halo-width': 1.2 },
      },
    ],
  })
}
