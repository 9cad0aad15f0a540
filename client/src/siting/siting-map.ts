/**
 * The siting results on the MapLibre map: coverage polygons, ranked sites, candidate clicks and
 * isochrones, each a GeoJSON source with its layers under fixed ids (set again on every result,
 * removed when the screen closes). The map itself stays outside any store.
 */
import type { GeoJSONSource, Map as MaplibreMap } from 'maplibre-gl'
import type { FeatureCollection } from 'geojson'

export const SITING_SOURCES = ['siting-coverage', 'siting-sites', 'siting-candidates', 'siting-isochrones', 'siting-planned'] as const
type SourceId = (typeof SITING_SOURCES)[number]

const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] }
const ISO_COLORS = ['#1a9850', '#91cf60', '#fee08b', '#fc8d59', '#d73027', '#7f0000']

function ensure(map: MaplibreMap, id: SourceId): GeoJSONSource {
  const existing = map.getSource(id) as GeoJSONSource | undefined
  if (existing) return existing
  map.addSource(id, { type: 'geojson', data: EMPTY })
  switch (id) {
    case 'siting-coverage':
      map.addLayer({ id: 'siting-coverage-fill', type: 'fill', source: id, paint: { 'fill-color': '#2b8cbe', 'fill-opacity': 0.18 } })
      map.addLayer({ id: 'siting-coverage-line', type: 'line', source: id, paint: { 'line-color': '#0868ac', 'line-width': 1.5 } })
      break
    case 'siting-isochrones':
      map.addLayer({
        id: 'siting-isochrones-fill',
        type: 'fill',
        source: id,
        paint: {
          'fill-color': ['step', ['get', 'minutes'], ISO_COLORS[0]!, 15, ISO_COLORS[1]!, 30, ISO_COLORS[2]!, 45, ISO_COLORS[3]!, 60, ISO_COLORS[4]!, 90, ISO_COLORS[5]!],
          'fill-opacity': 0.2,
        },
      })
      map.addLayer({ id: 'siting-isochrones-line', type: 'line', source: id, paint: { 'line-color': '#444', 'line-width': 1 } })
      break
    case 'siting-candidates':
      map.addLayer({ id: 'siting-candidates-circle', type: 'circle', source: id, paint: { 'circle-radius': 4, 'circle-color': '#fff', 'circle-stroke-color': '#555', 'circle-stroke-width': 1.5 } })
      break
    case 'siting-planned':
      // Projects just planned from a scenario, until the projects tiles (cached for minutes) show them.
      map.addLayer({ id: 'siting-planned-line', type: 'line', source: id, filter: ['==', ['geometry-type'], 'LineString'], paint: { 'line-color': '#6a3d9a', 'line-width': 3 } })
      map.addLayer({
        id: 'siting-planned-square',
        type: 'circle',
        source: id,
        filter: ['==', ['geometry-type'], 'Point'],
        paint: { 'circle-radius': 6, 'circle-color': '#6a3d9a', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
      })
      break
    case 'siting-sites':
      map.addLayer({ id: 'siting-sites-circle', type: 'circle', source: id, paint: { 'circle-radius': 9, 'circle-color': '#d7301f', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } })
      map.addLayer({
        id: 'siting-sites-rank',
        type: 'symbol',
        source: id,
        layout: { 'text-field': ['to-string', ['get', 'rank']], 'text-size': 11, 'text-allow-overlap': true },
        paint: { 'text-color': '#fff' },
      })
      break
  }
  return map.getSource(id) as GeoJSONSource
}

export function showOnMap(map: MaplibreMap, id: SourceId, data: FeatureCollection): void {
  ensure(map, id).setData(data)
}

/** Points as a FeatureCollection (sites with their rank and counts). */
export function pointsCollection(points: readonly { lon: number; lat: number; [k: string]: unknown }[]): FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: points.map(({ lon, lat, ...properties }) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties })),
  }
}

export function clearSiting(map: MaplibreMap): void {
  for (const l of ['siting-planned-square', 'siting-planned-line', 'siting-sites-rank', 'siting-sites-circle', 'siting-candidates-circle', 'siting-isochrones-line', 'siting-isochrones-fill', 'siting-coverage-line', 'siting-coverage-fill'])
    if (map.getLayer(l)) map.removeLayer(l)
  for (const s of SITING_SOURCES) if (map.getSource(s)) map.removeSource(s)
}

/** Fits the map to a collection's extent. */
export function fitTo(map: MaplibreMap, fc: FeatureCollection): void {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      w = Math.min(w, c[0])
      e = Math.max(e, c[0])
      s = Math.min(s, c[1] as number)
      n = Math.max(n, c[1] as number)
    } else if (Array.isArray(c)) c.forEach(visit)
  }
  for (const f of fc.features) if (f.geometry && 'coordinates' in f.geometry) visit(f.geometry.coordinates)
  if (Number.isFinite(w)) map.fitBounds([w, s, e, n], { padding: 60, maxZoom: 13, duration: 0 })
}
