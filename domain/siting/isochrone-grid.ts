/**
 * Turns a grid of reach times into polygons: cells reached within a limit form rings traced along
 * cell edges (interior on the left, counter-clockwise), holes filled (an unreached pocket inside an
 * isochrone is drawn as reached: the polygon says "within about T minutes", not a fine raster).
 * Rings touching at a corner are kept apart (left turn first), so every polygon is valid.
 */

export interface GridSpec {
  west: number
  south: number
  /** Degrees per cell in x and y. */
  dx: number
  dy: number
  width: number
  height: number
}

/** Rings of [lon, lat] (closed) around the cells where `inside(i)` holds, holes filled. */
export function gridRings(spec: GridSpec, inside: (cell: number) => boolean): number[][][] {
  const { width: w, height: h } = spec
  const on = new Uint8Array(w * h)
  for (let c = 0; c < w * h; c++) on[c] = inside(c) ? 1 : 0
  // Fill holes: every off cell not connected to the border through off cells becomes on.
  const outside = new Uint8Array(w * h)
  const stack: number[] = []
  const seed = (c: number) => {
    if (!on[c] && !outside[c]) {
      outside[c] = 1
      stack.push(c)
    }
  }
  for (let x = 0; x < w; x++) {
    seed(x)
    seed((h - 1) * w + x)
  }
  for (let y = 0; y < h; y++) {
    seed(y * w)
    seed(y * w + w - 1)
  }
  while (stack.length) {
    const c = stack.pop()!
    const x = c % w
    const y = (c - x) / w
    if (x > 0) seed(c - 1)
    if (x < w - 1) seed(c + 1)
    if (y > 0) seed(c - w)
    if (y < h - 1) seed(c + w)
  }
  for (let c = 0; c < w * h; c++) if (!outside[c]) on[c] = 1
  const at = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && on[y * w + x] === 1
  // Directed boundary edges, keyed by start vertex (vx + vy·(w+1)); y grows northwards (row 0 south).
  const W = w + 1
  const out = new Map<number, number[]>()
  const add = (x0: number, y0: number, x1: number, y1: number) => {
    const k = x0 + y0 * W
    const list = out.get(k)
    const v = x1 + y1 * W
    if (list) list.push(v)
    else out.set(k, [v])
  }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!at(x, y)) continue
      if (!at(x, y - 1)) add(x, y, x + 1, y)
      if (!at(x + 1, y)) add(x + 1, y, x + 1, y + 1)
      if (!at(x, y + 1)) add(x + 1, y + 1, x, y + 1)
      if (!at(x - 1, y)) add(x, y + 1, x, y)
    }
  const rings: number[][][] = []
  const toLonLat = (v: number): number[] => {
    const vx = v % W
    const vy = (v - vx) / W
    return [round6(spec.west + vx * spec.dx), round6(spec.south + vy * spec.dy)]
  }
  for (const [start, list] of out) {
    while (list.length) {
      let from = start
      let to = list.pop()!
      const verts = [from]
      for (let guard = 0; guard < 4 * w * h + 8; guard++) {
        const dirX = (to % W) - (from % W)
        const dirY = Math.floor(to / W) - Math.floor(from / W)
        if (to === start) break
        const next = out.get(to)
        if (!next || next.length === 0) break
        // Prefer a left turn, then straight on, then right.
        const options = [
          [-dirY, dirX],
          [dirX, dirY],
          [dirY, -dirX],
        ]
        let pick = -1
        for (const [ox, oy] of options) {
          const target = to + ox! + oy! * W
          const idx = next.indexOf(target)
          if (idx >= 0) {
            pick = idx
            break
          }
        }
        if (pick < 0) pick = next.length - 1
        const nv = next.splice(pick, 1)[0]!
        // Drop the vertex between two collinear edges.
        const ndx = (nv % W) - (to % W)
        const ndy = Math.floor(nv / W) - Math.floor(to / W)
        if (ndx !== dirX || ndy !== dirY) verts.push(to)
        from = to
        to = nv
      }
      if (verts.length >= 3) {
        const ring = verts.map(toLonLat)
        ring.push(ring[0]!)
        rings.push(ring)
      }
    }
  }
  return rings
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6

/** Shoelace area of a ring in square grid degrees (positive: counter-clockwise). */
export function ringArea(ring: readonly (readonly number[])[]): number {
  let a = 0
  for (let i = 0; i + 1 < ring.length; i++) a += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!
  return a / 2
}
