import { describe, expect, it } from 'vitest'
import { clearSiting, fitTo, pointsCollection, showOnMap, SITING_SOURCES } from '../../../client/src/siting/siting-map.js'
import { en, zhCN } from '../../../client/src/siting/messages.js'
import type { Map as MaplibreMap } from 'maplibre-gl'

/** Just enough of a MapLibre map to record sources, layers and the last fitBounds. */
function fakeMap() {
  const sources = new Map<string, { data: unknown; setData(d: unknown): void }>()
  const layers = new Map<string, { source: string }>()
  let fitted: number[] | null = null
  const map = {
    getSource: (id: string) => sources.get(id),
    addSource: (id: string, spec: { data: unknown }) => {
      const s = { data: spec.data, setData: (d: unknown) => (s.data = d) }
      sources.set(id, s)
    },
    getLayer: (id: string) => layers.get(id),
    addLayer: (l: { id: string; source: string }) => layers.set(l.id, l),
    removeLayer: (id: string) => layers.delete(id),
    removeSource: (id: string) => sources.delete(id),
    fitBounds: (b: number[]) => (fitted = b),
  }
  return { map: map as unknown as MaplibreMap, sources, layers, fitted: () => fitted }
}

describe('siting map layers', () => {
  it('sites become ranked points on their source; clearing removes every source and layer', () => {
    const f = fakeMap()
    const fc = pointsCollection([{ lon: 109.5, lat: 28.3, rank: 1, covered: 12 }])
    expect(fc.features[0]).toEqual({ type: 'Feature', geometry: { type: 'Point', coordinates: [109.5, 28.3] }, properties: { rank: 1, covered: 12 } })
    showOnMap(f.map, 'siting-sites', fc)
    showOnMap(f.map, 'siting-coverage', { type: 'FeatureCollection', features: [] })
    expect(f.sources.get('siting-sites')!.data).toBe(fc)
    expect([...f.layers.values()].every((l) => SITING_SOURCES.includes(l.source as (typeof SITING_SOURCES)[number]))).toBe(true)
    // Setting again reuses the source.
    showOnMap(f.map, 'siting-sites', pointsCollection([]))
    expect(f.layers.size).toBe(4)
    clearSiting(f.map)
    expect(f.sources.size).toBe(0)
    expect(f.layers.size).toBe(0)
  })
  it('fitTo frames every coordinate of a collection', () => {
    const f = fakeMap()
    fitTo(f.map, {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: [[[[109, 28], [110, 28], [110, 29.5], [109, 28]]]] } },
        { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [108.5, 28.2] } },
      ],
    })
    expect(f.fitted()).toEqual([108.5, 28, 110, 29.5])
  })
  it('messages: Chinese and English have the same keys', () => {
    const keys = (o: object, p = ''): string[] => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`]))
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
  })
})
