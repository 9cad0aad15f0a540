/** Seeded gradient noise for the relief: broad swells (regional) and where the drainage runs (detail). */
import type { Rng } from '../rng.js'

/** Noise coordinates are kilometres (near-isotropic over Hunan). */
export const NOISE_KM_PER_DEG_LON = 98.8
export const NOISE_KM_PER_DEG_LAT = 110.8
/** Broad swells of the hills and the plain. */
const REGIONAL_WAVELENGTHS_KM = [128, 64, 32]
/** Where the drainage network prefers to run; the finer relief comes from the erosion model. */
const DETAIL_WAVELENGTHS_KM = [16, 8, 4]

interface Octave {
  freq: number
  amp: number
  cos: number
  sin: number
  ox: number
  oy: number
}

export interface NoiseSample {
  /** Regional fBm, ≈ -1…1. */
  regional: number
  /** Detail fBm, ≈ -1…1. */
  detail: number
}

/**
 * Perlin gradient noise summed over octaves (amplitude ∝ wavelength). Each octave is rotated and
 * offset differently so the lattice directions do not line up into visible grid artefacts.
 */
export function createFractalNoise(rng: Rng): (x: number, y: number, out: NoiseSample) => void {
  const size = 1024
  const mask = size - 1
  const perm = new Uint16Array(size * 2)
  const shuffled = rng.shuffle(Array.from({ length: size }, (_, i) => i))
  for (let i = 0; i < size * 2; i++) perm[i] = shuffled[i % size]!
  const gradX = new Float64Array(16)
  const gradY = new Float64Array(16)
  for (let i = 0; i < 16; i++) {
    gradX[i] = Math.cos((i * Math.PI) / 8)
    gradY[i] = Math.sin((i * Math.PI) / 8)
  }
  const octaves = (wavelengths: readonly number[]): Octave[] =>
    wavelengths.map((wavelength) => {
      const angle = rng.range(0, Math.PI * 2)
      return { freq: 1 / wavelength, amp: wavelength, cos: Math.cos(angle), sin: Math.sin(angle), ox: rng.range(0, size), oy: rng.range(0, size) }
    })
  const regional = octaves(REGIONAL_WAVELENGTHS_KM)
  const detail = octaves(DETAIL_WAVELENGTHS_KM)
  // Perlin values are about ±0.7; these bring the sums to about ±1.
  const regionalNorm = 1.6 / regional.reduce((sum, o) => sum + o.amp, 0)
  const detailNorm = 1.6 / detail.reduce((sum, o) => sum + o.amp, 0)

  const perlin = (x: number, y: number): number => {
    const xf0 = Math.floor(x)
    const yf0 = Math.floor(y)
    const xf = x - xf0
    const yf = y - yf0
    const xi = xf0 & mask
    const yi = yf0 & mask
    const u = xf * xf * xf * (xf * (xf * 6 - 15) + 10)
    const v = yf * yf * yf * (yf * (yf * 6 - 15) + 10)
    const pa = perm[xi]!
    const pb = perm[xi + 1]!
    const g00 = perm[pa + yi]! & 15
    const g10 = perm[pb + yi]! & 15
    const g01 = perm[pa + yi + 1]! & 15
    const g11 = perm[pb + yi + 1]! & 15
    const n00 = gradX[g00]! * xf + gradY[g00]! * yf
    const n10 = gradX[g10]! * (xf - 1) + gradY[g10]! * yf
    const n01 = gradX[g01]! * xf + gradY[g01]! * (yf - 1)
    const n11 = gradX[g11]! * (xf - 1) + gradY[g11]! * (yf - 1)
    const nx0 = n00 + (n10 - n00) * u
    const nx1 = n01 + (n11 - n01) * u
    return nx0 + (nx1 - nx0) * v
  }
  const sum = (octs: Octave[], x: number, y: number) => {
    let total = 0
    for (const o of octs) total += o.amp * perlin((x * o.cos - y * o.sin) * o.freq + o.ox, (x * o.sin + y * o.cos) * o.freq + o.oy)
    return total
  }
  return (x, y, out) => {
    out.regional = sum(regional, x, y) * regionalNorm
    out.detail = sum(detail, x, y) * detailNorm
  }
}
