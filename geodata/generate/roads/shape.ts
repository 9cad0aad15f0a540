import type { Rng } from '../rng.js'
import { distanceKm, offsetKm, round6, type LonLat } from '../spatial-index.js'
import type { Terrain } from '../types.js'

/** A line from a to b bent toward lower ground; endpoints exact, inner vertices rounded to 6 decimals. */
export function shapeLine(a: LonLat, b: LonLat, terrain: Terrain, rng: Rng, village: boolean): [number, number][] {
  const lenKm = distanceKm(a, b)
  const n = village ? (lenKm < 0.8 ? 0 : Math.min(4, Math.max(1, Math.floor(lenKm / 1.2)))) : Math.min(10, Math.max(1, Math.floor(lenKm / 2.5)))
  const out: [number, number][] = [[a[0], a[1]]]
  if (n > 0) {
    // Unit vector perpendicular to a→b, in km.
    const c = Math.cos((((a[1] + b[1]) / 2) * Math.PI) / 180) * 111.32
    const ex = (b[0] - a[0]) * c
    const ny = (b[1] - a[1]) * 110.574
    const len = Math.hypot(ex, ny) || 1
    const px = -ny / len
    const py = ex / len
    const maxOff = Math.min(0.18 * lenKm, village ? 0.8 : 5)
    let prev = 0
    for (let i = 1; i <= n; i++) {
      const t = i / (n + 1)
      const base: LonLat = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
      const taper = Math.sqrt(Math.sin(Math.PI * t))
      let best = 0
      let bestCost = Infinity
      // A sideways step of at most 0.6 × the spacing keeps the line from zigzagging between valleys.
      const maxStep = (0.6 * lenKm) / (n + 1)
      for (const k of [-1, -0.5, 0, 0.5, 1]) {
        const want = (k + rng.range(-0.15, 0.15)) * maxOff * taper
        const off = Math.min(prev + maxStep, Math.max(prev - maxStep, want))
        const p = offsetKm(base, px * off, py * off)
        const cost = terrain.elevation(p[0], p[1]) + 30 * Math.abs(off) + 60 * Math.abs(off - prev)
        if (cost < bestCost) {
          bestCost = cost
          best = off
        }
      }
      prev = best
      const p = offsetKm(base, px * best, py * best)
      out.push([round6(p[0]), round6(p[1])])
    }
  }
  out.push([b[0], b[1]])
  return out
}
