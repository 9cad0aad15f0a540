/**
 * WGS84 → GCJ-02, the published forward formula (as in eviltransform, written from its description): the
 * independent side of the tests of GCJ-02 imports, which convert back with gcoord.
 */
const A = 6378245.0
const EE = 0.006693421622965943
const { PI, sin, sqrt, abs, cos } = Math

function dLatOf(x: number, y: number): number {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x))
  r += ((20 * sin(6 * x * PI) + 20 * sin(2 * x * PI)) * 2) / 3
  r += ((20 * sin(y * PI) + 40 * sin((y / 3) * PI)) * 2) / 3
  r += ((160 * sin((y / 12) * PI) + 320 * sin((y * PI) / 30)) * 2) / 3
  return r
}
function dLonOf(x: number, y: number): number {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x))
  r += ((20 * sin(6 * x * PI) + 20 * sin(2 * x * PI)) * 2) / 3
  r += ((20 * sin(x * PI) + 40 * sin((x / 3) * PI)) * 2) / 3
  r += ((150 * sin((x / 12) * PI) + 300 * sin((x / 30) * PI)) * 2) / 3
  return r
}

export function wgs84ToGcj02(lon: number, lat: number): [number, number] {
  const rad = (lat / 180) * PI
  const m = 1 - EE * sin(rad) ** 2
  const dLat = (dLatOf(lon - 105, lat - 35) * 180) / (((A * (1 - EE)) / (m * sqrt(m))) * PI)
  const dLon = (dLonOf(lon - 105, lat - 35) * 180) / ((A / sqrt(m)) * cos(rad) * PI)
  return [lon + dLon, lat + dLat]
}

/** Metres between two WGS84 positions (equirectangular: exact enough below a kilometre). */
export function metres(a: readonly number[], b: readonly number[]): number {
  const k = (PI / 180) * 6371008.8
  return Math.hypot((a[0]! - b[0]!) * k * cos(((a[1]! + b[1]!) / 2) * (PI / 180)), (a[1]! - b[1]!) * k)
}
