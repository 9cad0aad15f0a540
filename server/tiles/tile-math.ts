/** Web Mercator tile arithmetic (XYZ scheme). */
export function lonLatToTile(lon: number, lat: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z
  const r = (lat * Math.PI) / 180
  const x = Math.min(n - 1, Math.max(0, Math.floor(((lon + 180) / 360) * n)))
  const y = Math.min(n - 1, Math.max(0, Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)))
  return { z, x, y }
}

/** The tiles of zoom z covering a WGS84 bbox [west, south, east, north]. */
export function tilesCovering(bbox: readonly [number, number, number, number], z: number): { z: number; x: number; y: number }[] {
  const a = lonLatToTile(bbox[0], bbox[3], z)
  const b = lonLatToTile(bbox[2], bbox[1], z)
  const out = []
  for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) out.push({ z, x, y })
  return out
}
