import type { LayerDef, StyleLayer } from '../layers/catalog.js'

/**
 * Project areas (relocation sites, industrial parks, housing blocks…) come in the projects tile
 * beside points and lines, but the declaration's style draws only those two. The client adds a fill
 * and an outline, coloured by the legend's attribute with the legend's own colours, so that the
 * legend and the paint read one object.
 */
export const PROJECT_FILL = 'projects-fill'
export const PROJECT_OUTLINE = 'projects-outline'

/** True for polygon features (MapLibre reports a feature with several polygons as MultiPolygon). */
export const IS_POLYGON = ['match', ['geometry-type'], ['Polygon', 'MultiPolygon'], true, false]

/** Stages where the work is done: a solid outline (the points' white stroke); dashed while planned or in construction. */
const DONE_STAGES = ['completed', 'evaluated']

export function legendColor(def: LayerDef): unknown[] {
  return ['match', ['get', def.legend.attribute], ...def.legend.entries.flatMap((e) => [e.value, e.color]), '#666666']
}

export function projectPolygonLayers(def: LayerDef): StyleLayer[] {
  const color = legendColor(def)
  return [
    {
      id: PROJECT_FILL,
      type: 'fill',
      minzoom: def.minzoom,
      filter: IS_POLYGON,
      paint: { 'fill-color': color, 'fill-opacity': 0.35 },
    },
    {
      id: PROJECT_OUTLINE,
      type: 'line',
      minzoom: def.minzoom,
      filter: IS_POLYGON,
      paint: {
        'line-color': color,
        'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1, 14, 2.5],
        'line-dasharray': ['match', ['get', 'stage'], DONE_STAGES, ['literal', [1, 0]], ['literal', [3, 2]]],
      },
    },
  ]
}

/** A style layer's own filter with the project type and stage filters (empty list = all). */
export function withProjectFilter(base: unknown, type: readonly string[], stage: readonly string[]): unknown {
  const parts: unknown[] = base ? [base] : []
  if (type.length) parts.push(['in', ['get', 'type'], ['literal', [...type]]])
  if (stage.length) parts.push(['in', ['get', 'stage'], ['literal', [...stage]]])
  if (parts.length === 0) return null
  return parts.length === 1 ? parts[0] : ['all', ...parts]
}
