/**
 * The large-scale relief, fixed (no seed): hand-placed mountain ranges and peaks, the Dongting plain and
 * hills rising away from the lake, as smooth fields on a coarse lattice.
 */
import { metresPerDegree } from '../../terrain-format.js'
import { HUNAN_DEM_BOUNDS, type LonLat } from './hunan.js'

interface RangeSpec {
  name: string
  /** Gaussian half-width across the crest line, km. */
  widthKm: number
  /** [lon, lat, crest amplitude m] along the crest. */
  crest: readonly (readonly [number, number, number])[]
}

/** Crest amplitudes; the relief is amplitude × (0.45…1.2 by noise) on top of the hills. */
const RANGES: readonly RangeSpec[] = [
  // 武陵山: the north-west massif of Xiangxi and Zhangjiajie up to the Hubei border.
  { name: 'Wuling', widthKm: 42, crest: [[108.85, 27.9, 1200], [109.3, 28.4, 1350], [109.75, 28.95, 1450], [110.2, 29.45, 1500], [110.7, 29.85, 1500], [111.1, 30.15, 1300]] },
  { name: 'Wuling south', widthKm: 28, crest: [[109.4, 28.1, 900], [109.95, 28.6, 1000], [110.6, 29.0, 1000], [111.2, 29.35, 800]] },
  { name: 'Wuling west (Huaihua)', widthKm: 28, crest: [[108.8, 26.9, 900], [109.1, 27.4, 950], [109.35, 27.9, 1000]] },
  // 雪峰山: SW→NE through the centre-west, lower towards Taojiang.
  { name: 'Xuefeng', widthKm: 22, crest: [[109.8, 26.3, 1200], [110.15, 26.85, 1400], [110.45, 27.35, 1550], [110.8, 27.85, 1450], [111.2, 28.2, 1250], [111.6, 28.45, 900], [111.95, 28.6, 550]] },
  // 南岭: Yuechengling, Dupangling, Jiuyi, Mengzhu, Qitian ranges along the southern border.
  { name: 'Nanling', widthKm: 30, crest: [[110.2, 25.95, 1300], [110.7, 25.55, 1300], [111.3, 25.3, 1500], [111.9, 25.2, 1400], [112.4, 25.12, 1450], [112.8, 25.08, 1550], [113.3, 25.15, 1350], [113.8, 25.35, 1200], [114.35, 25.5, 1000]] },
  { name: 'Yuechengling', widthKm: 18, crest: [[110.0, 25.9, 1300], [110.45, 26.2, 1150], [110.8, 26.4, 800]] },
  { name: 'Qitianling', widthKm: 14, crest: [[112.7, 25.45, 1100], [112.85, 25.75, 1200]] },
  // 罗霄山 along the Jiangxi border, with 幕阜山 in the north.
  { name: 'Luoxiao', widthKm: 24, crest: [[113.6, 25.6, 1300], [113.95, 26.2, 1450], [114.05, 26.8, 1300], [114.0, 27.4, 1100], [114.05, 27.9, 1100], [114.05, 28.4, 1200], [113.85, 28.8, 1100], [113.75, 29.1, 1000], [113.95, 29.45, 850]] },
  // 衡山 (南岳), a lone range among the central hills.
  { name: 'Hengshan', widthKm: 9, crest: [[112.6, 27.15, 750], [112.7, 27.35, 850]] },
]

const PEAKS: readonly { name: string; lon: number; lat: number; amplitudeM: number; radiusKm: number }[] = [
  { name: '壶瓶山', lon: 110.8, lat: 30.05, amplitudeM: 1900, radiusKm: 12 },
  { name: '八大公山', lon: 110.1, lat: 29.75, amplitudeM: 1750, radiusKm: 12 },
  { name: '苏宝顶', lon: 110.45, lat: 27.35, amplitudeM: 1800, radiusKm: 10 },
  { name: '韭菜岭', lon: 111.25, lat: 25.35, amplitudeM: 1850, radiusKm: 10 },
  { name: '九嶷山', lon: 111.95, lat: 25.28, amplitudeM: 1650, radiusKm: 10 },
  { name: '莽山', lon: 112.95, lat: 24.97, amplitudeM: 1800, radiusKm: 10 },
  { name: '八面山', lon: 113.75, lat: 26.05, amplitudeM: 1850, radiusKm: 10 },
  { name: '神农峰', lon: 113.97, lat: 26.5, amplitudeM: 1900, radiusKm: 10 },
  { name: '大围山', lon: 114.1, lat: 28.42, amplitudeM: 1500, radiusKm: 10 },
  { name: '幕阜山', lon: 113.8, lat: 28.98, amplitudeM: 1500, radiusKm: 10 },
]

/** The Dongting Lake plain (with the Jianghan plain north of it), faded out over ~15 km. */
const PLAIN_OUTLINE: readonly LonLat[] = [
  [111.62, 28.98],
  [111.72, 29.58],
  [111.9, 29.98],
  [111.98, 30.4],
  [113.55, 30.4],
  [113.45, 29.85],
  [113.22, 29.5],
  [113.15, 29.2],
  [113.02, 28.85],
  [112.88, 28.55],
  [112.55, 28.6],
  [112.3, 28.68],
  [112.0, 28.75],
  [111.78, 28.86],
]
const PLAIN_FADE_KM = 15
const LAKE_CENTRE: LonLat = [112.55, 29.05]

/** Smooth large-scale fields sampled on a coarse lattice (crest distances are costly per cell). */
export interface ReliefFields {
  /** Mountain amplitude, m. */
  mountain: Float32Array
  /** 1 on the lake plain, 0 away from it. */
  plain: Float32Array
  /** Hill baseline rising away from the lake, m. */
  baseline: Float32Array
  nx: number
  ny: number
  west: number
  north: number
  step: number
}

const RELIEF_STEP_DEG = 0.02

let reliefFieldsCache: ReliefFields | undefined

/** The fields are fixed (no seed), so they are computed once per process. */
export function reliefFields(): ReliefFields {
  reliefFieldsCache ??= buildReliefFields()
  return reliefFieldsCache
}

function buildReliefFields(): ReliefFields {
  const { west, north, east, south } = HUNAN_DEM_BOUNDS
  const step = RELIEF_STEP_DEG
  const nx = Math.round((east - west) / step) + 1
  const ny = Math.round((north - south) / step) + 1
  const mountain = new Float32Array(nx * ny)
  const plain = new Float32Array(nx * ny)
  const baseline = new Float32Array(nx * ny)
  for (let y = 0; y < ny; y++) {
    const lat = north - y * step
    const kmLon = metresPerDegree(lat).lon / 1000
    const kmLat = metresPerDegree(lat).lat / 1000
    for (let x = 0; x < nx; x++) {
      const lon = west + x * step
      let amp = 0
      for (const range of RANGES) {
        const { distKm, value } = distanceToCrest(lon, lat, range.crest, kmLon, kmLat)
        amp = Math.max(amp, value * Math.exp(-((distKm / range.widthKm) ** 2)))
      }
      for (const peak of PEAKS) {
        const d = Math.hypot((lon - peak.lon) * kmLon, (lat - peak.lat) * kmLat)
        amp = Math.max(amp, peak.amplitudeM * Math.exp(-((d / peak.radiusKm) ** 2)))
      }
      const i = y * nx + x
      mountain[i] = amp
      const inside = pointInRing(lon, lat, PLAIN_OUTLINE)
      const edgeKm = distanceToRingKm(lon, lat, PLAIN_OUTLINE, kmLon, kmLat)
      plain[i] = inside ? 1 : 1 - smoothstep(0, PLAIN_FADE_KM, edgeKm)
      const lakeKm = Math.hypot((lon - LAKE_CENTRE[0]) * kmLon, (lat - LAKE_CENTRE[1]) * kmLat)
      baseline[i] = Math.min(330, 45 + 0.65 * lakeKm)
    }
  }
  return { mountain, plain, baseline, nx, ny, west, north, step }
}

export function sampleField(f: ReliefFields, field: Float32Array, lon: number, lat: number): number {
  const fx = Math.min(f.nx - 1.000001, Math.max(0, (lon - f.west) / f.step))
  const fy = Math.min(f.ny - 1.000001, Math.max(0, (f.north - lat) / f.step))
  const x0 = Math.floor(fx)
  const y0 = Math.floor(fy)
  const tx = fx - x0
  const ty = fy - y0
  const i = y0 * f.nx + x0
  const top = field[i]! + (field[i + 1]! - field[i]!) * tx
  const bottom = field[i + f.nx]! + (field[i + f.nx + 1]! - field[i + f.nx]!) * tx
  return top + (bottom - top) * ty
}

/** Distance to a crest polyline and the crest amplitude at the nearest point. */
function distanceToCrest(
  lon: number,
  lat: number,
  crest: readonly (readonly [number, number, number])[],
  kmLon: number,
  kmLat: number,
): { distKm: number; value: number } {
  let best = Infinity
  let value = 0
  for (let i = 0; i + 1 < crest.length; i++) {
    const a = crest[i]!
    const b = crest[i + 1]!
    const ax = (a[0] - lon) * kmLon
    const ay = (a[1] - lat) * kmLat
    const bx = (b[0] - lon) * kmLon
    const by = (b[1] - lat) * kmLat
    const dx = bx - ax
    const dy = by - ay
    const len2 = dx * dx + dy * dy
    const t = len2 > 0 ? Math.min(1, Math.max(0, -(ax * dx + ay * dy) / len2)) : 0
    const d = Math.hypot(ax + dx * t, ay + dy * t)
    if (d < best) {
      best = d
      value = a[2] + (b[2] - a[2]) * t
    }
  }
  return { distKm: best, value }
}

function distanceToRingKm(lon: number, lat: number, ring: readonly LonLat[], kmLon: number, kmLat: number): number {
  let best = Infinity
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!
    const b = ring[(i + 1) % ring.length]!
    const ax = (a[0] - lon) * kmLon
    const ay = (a[1] - lat) * kmLat
    const dx = (b[0] - a[0]) * kmLon
    const dy = (b[1] - a[1]) * kmLat
    const len2 = dx * dx + dy * dy
    const t = len2 > 0 ? Math.min(1, Math.max(0, -(ax * dx + ay * dy) / len2)) : 0
    best = Math.min(best, Math.hypot(ax + dx * t, ay + dy * t))
  }
  return best
}

function pointInRing(lon: number, lat: number, ring: readonly LonLat[]): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!
    const [xj, yj] = ring[j]!
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)))
  return t * t * (3 - 2 * t)
}
