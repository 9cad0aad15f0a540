import type { Terrain } from '../../terrain-format.js'

/**
 * The largest climb along a line over the bilinear DEM, exactly: the surface is quadratic between
 * the grid lines through cell centres, so it is evaluated at every crossing and at each piece's
 * turning point. 0 means the line never rises anywhere downstream.
 */
export function profileMaxRise(terrain: Terrain, line: readonly (readonly number[])[]): number {
  const { west, north, cellDeg, elevation } = terrain
  let runMin = Infinity
  let rise = 0
  const visit = (z: number) => {
    if (z - runMin > rise) rise = z - runMin
    if (z < runMin) runMin = z
  }
  for (let s = 0; s + 1 < line.length; s++) {
    const ax = line[s]![0]!
    const ay = line[s]![1]!
    const bx = line[s + 1]![0]!
    const by = line[s + 1]![1]!
    const ts = [0, 1]
    addCrossings(ts, (ax - west) / cellDeg - 0.5, (bx - west) / cellDeg - 0.5)
    addCrossings(ts, (north - ay) / cellDeg - 0.5, (north - by) / cellDeg - 0.5)
    ts.sort((p, q) => p - q)
    const at = (t: number) => elevation(ax + (bx - ax) * t, ay + (by - ay) * t)
    if (s === 0) visit(at(0))
    for (let k = 0; k + 1 < ts.length; k++) {
      const t0 = ts[k]!
      const t1 = ts[k + 1]!
      if (t1 - t0 < 1e-12) continue
      const f0 = at(t0)
      const fm = at((t0 + t1) / 2)
      const f1 = at(t1)
      const c = 2 * (f1 - 2 * fm + f0)
      const b = f1 - f0 - c
      if (c !== 0) {
        const tau = -b / (2 * c)
        if (tau > 0 && tau < 1) visit(at(t0 + (t1 - t0) * tau))
      }
      visit(f1)
    }
  }
  return rise
}

/** Parameters in (0, 1) where a segment from grid coordinate u0 to u1 crosses an integer. */
function addCrossings(out: number[], u0: number, u1: number): void {
  if (u0 === u1) return
  const lo = Math.min(u0, u1)
  const hi = Math.max(u0, u1)
  for (let g = Math.floor(lo) + 1; g < hi; g++) out.push((g - u0) / (u1 - u0))
}
