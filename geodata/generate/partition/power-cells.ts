import * as polyclip from 'polyclip-ts'
import { clipToConvex, fromPolyclip, toPolyclip } from './clip.js'
import type { PolyIndex } from './poly-index.js'
import type { RegionUnit } from './region.js'
import { assemble, finish, netArea, ringArea, ringsOf, type Pt, type Ring } from './rings.js'
import type { Seeds } from './seeds.js'

/** Keeps the part of a convex ring where nx·x + ny·y ≤ c (Sutherland–Hodgman; exact for convex). */
function cutConvex(poly: Ring, nx: number, ny: number, c: number): Ring {
  const out: Ring = []
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i]!
    const b = poly[(i + 1) % poly.length]!
    const fa = nx * a[0] + ny * a[1] - c
    const fb = nx * b[0] + ny * b[1] - c
    if (fa <= 0) out.push(a)
    if (fa <= 0 !== fb <= 0) {
      const t = fa / (fa - fb)
      out.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t])
    }
  }
  return out
}

/**
 * Power cells, clipped to the parent, as the units (unit i from seed seedOf[i]). Should a cell come
 * out empty, the weights are damped, down to the plain Voronoi diagram of (distinct) seeds inside the
 * parent, where no cell can be empty. `seat` is in the seeds' local coordinates. Null: no partition.
 */
export function powerCells(
  idx: PolyIndex,
  seeds: Seeds,
  pool: readonly Pt[],
  seedOf: Int32Array,
  weight: Float64Array,
  seatSeed: number,
  seat: Pt,
): RegionUnit[] | null {
  const { n, su, sv } = seeds
  const kx = idx.kx
  const dist2 = (i: number, p: Pt) => seeds.dist2(i, p)
  if (!seeds.distinct()) return null
  const w = (idx.maxX - idx.minX) * kx
  const h = idx.maxY - idx.minY
  const m = 0.01 * Math.max(w, h) + 1e-6
  const box: Ring = [
    [-w / 2 - m, -h / 2 - m],
    [w / 2 + m, -h / 2 - m],
    [w / 2 + m, h / 2 + m],
    [-w / 2 - m, h / 2 + m],
  ]
  for (const [scale, holdSeat] of [
    [1, true],
    [0.5, true],
    [0.25, true],
    [0, true],
    [0, false],
  ] as const) {
    const ws = weight.map((x) => x * scale)
    if (holdSeat && seatSeed >= 0) {
      // Weight the seat unit just enough that the seat lies inside its cell, ≈ 2.5e-6° in.
      let need = ws[seatSeed]!
      for (let j = 0; j < n; j++) {
        if (j !== seatSeed) need = Math.max(need, dist2(seatSeed, seat) - dist2(j, seat) + ws[j]! + 1e-7)
      }
      ws[seatSeed] = need
    }
    const cells: Ring[] = []
    for (let i = 0; i < n; i++) {
      let poly = box
      for (let j = 0; j < n && poly.length >= 3; j++) {
        if (j === i) continue
        const nx = 2 * (su[j]! - su[i]!)
        const ny = 2 * (sv[j]! - sv[i]!)
        const c = su[j]! ** 2 + sv[j]! ** 2 - su[i]! ** 2 - sv[i]! ** 2 + ws[i]! - ws[j]!
        poly = cutConvex(poly, nx, ny, c)
      }
      const cell = poly.map(([u, v]) => seeds.toLonLat(u, v))
      if (cell.length < 3 || ringArea(cell) <= 0) break
      cells.push(cell)
    }
    if (cells.length < n) continue

    const pieces: Ring[][] = []
    let ok = true
    for (const cell of cells) {
      const clipped = clipToConvex(idx.rings, cell)
      if (!clipped) {
        ok = false
        break
      }
      pieces.push(clipped)
    }
    // The pieces must add up to the parent; otherwise (a degenerate crossing) let polyclip do it.
    if (ok && Math.abs(pieces.reduce((s, c) => s + netArea(c), 0) - idx.area) > 1e-9 * Math.abs(idx.area)) ok = false
    if (!ok) {
      const parent = toPolyclip(assemble(idx.rings) ?? [])
      cells.forEach((cell, i) => {
        pieces[i] = fromPolyclip(polyclip.intersection(parent, [[...cell, cell[0]!]]))
      })
    }

    const owner = seeds.powerOwners(ws)
    const units: RegionUnit[] = []
    for (let unit = 0; unit < n; unit++) {
      const s = seedOf[unit]!
      const geom = finish(pieces[s]!)
      if (geom.length === 0) break
      units.push({ geom, rings: ringsOf(geom), seed: seeds.toLonLat(su[s]!, sv[s]!), samples: pool.filter((_, k) => owner[k] === s) })
    }
    if (units.length === n) return units
  }
  return null
}
