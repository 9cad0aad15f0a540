import { VectorTile } from '@mapbox/vector-tile'
import { PbfReader } from 'pbf'

export function lonLatToTile(lon: number, lat: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z
  const x = Math.floor(((lon + 180) / 360) * n)
  const r = (lat * Math.PI) / 180
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)
  return { z, x, y }
}

export function decodeTile(body: Buffer | Uint8Array): VectorTile {
  return new VectorTile(new PbfReader(body))
}

/** Every feature of a layer, as GeoJSON with WGS84 coordinates plus its id and properties. */
export function layerFeatures(tile: VectorTile, layer: string, t: { z: number; x: number; y: number }) {
  const l = tile.layers[layer]
  if (!l) return []
  return Array.from({ length: l.length }, (_, i) => l.feature(i).toGeoJSON(t.x, t.y, t.z))
}
