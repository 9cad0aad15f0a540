/** The main rivers carved into the relief: flat floors at the bed, valley sides blending into the hills. */
import { metresPerDegree } from '../../terrain-format.js'
import type { GridShape } from './grid.js'
import { smoothstep } from './relief-fields.js'
import { riverFloorHalfWidthM, riverWallWidthM, type MainRiverCourse } from './river-courses.js'

/** Visits, for each segment of each course, the grid cells within `reachM` of it. */
function forCellsNearCourses(
  grid: GridShape,
  courses: MainRiverCourse[],
  reachM: number,
  visit: (cell: number, distM: number, bedM: number, fraction: number) => void,
): void {
  const { west, north, width, height, cellDeg } = grid
  for (const course of courses) {
    const total = course.distM[course.distM.length - 1]!
    for (let k = 0; k + 1 < course.coords.length; k++) {
      const a = course.coords[k]!
      const b = course.coords[k + 1]!
      const m = metresPerDegree((a[1] + b[1]) / 2)
      const x0 = Math.max(0, Math.floor((Math.min(a[0], b[0]) - reachM / m.lon - west) / cellDeg))
      const x1 = Math.min(width - 1, Math.ceil((Math.max(a[0], b[0]) + reachM / m.lon - west) / cellDeg))
      const y0 = Math.max(0, Math.floor((north - Math.max(a[1], b[1]) - reachM / m.lat) / cellDeg))
      const y1 = Math.min(height - 1, Math.ceil((north - Math.min(a[1], b[1]) + reachM / m.lat) / cellDeg))
      const dx = (b[0] - a[0]) * m.lon
      const dy = (b[1] - a[1]) * m.lat
      const len2 = dx * dx + dy * dy
      const reach2 = reachM * reachM
      for (let y = y0; y <= y1; y++) {
        const py = (north - (y + 0.5) * cellDeg - a[1]) * m.lat
        for (let x = x0; x <= x1; x++) {
          const px = (west + (x + 0.5) * cellDeg - a[0]) * m.lon
          const t = len2 > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / len2)) : 0
          const ex = px - dx * t
          const ey = py - dy * t
          const d2 = ex * ex + ey * ey
          if (d2 > reach2) continue
          const bed = course.bedM[k]! + (course.bedM[k + 1]! - course.bedM[k]!) * t
          visit(y * width + x, Math.sqrt(d2), bed, (course.distM[k]! + (course.distM[k + 1]! - course.distM[k]!) * t) / total)
        }
      }
    }
  }
}

/**
 * The flat floor along each main river: cells within the floor half-width (that of a grid of
 * `floorCellDeg`) hold the bed elevation of the nearest river point (NaN elsewhere). The nearest
 * river wins where two come close.
 */
export function riverFloors(grid: GridShape, courses: MainRiverCourse[], floorCellDeg: number = grid.cellDeg): Float32Array {
  const n = grid.width * grid.height
  const nearest = new Float32Array(n).fill(Infinity)
  const bed = new Float32Array(n).fill(NaN)
  forCellsNearCourses(grid, courses, riverFloorHalfWidthM(1, floorCellDeg), (cell, d, bedM, fraction) => {
    if (d < nearest[cell]! && d <= riverFloorHalfWidthM(fraction, floorCellDeg)) {
      nearest[cell] = d
      bed[cell] = bedM
    }
  })
  return bed
}

/**
 * Lowers a surface towards the bed along each main river, blending into the relief over the valley
 * side, so the calibrated relief opens wide valleys instead of gorges everywhere.
 */
export function lowerMainValleys(target: Float32Array, lattice: GridShape, courses: MainRiverCourse[]): void {
  const n = lattice.width * lattice.height
  const nearest = new Float32Array(n).fill(Infinity)
  const bedAt = new Float32Array(n)
  const fractionAt = new Float32Array(n)
  const reach = riverFloorHalfWidthM(1, 0) + riverWallWidthM(1)
  forCellsNearCourses(lattice, courses, reach, (cell, d, bedM, fraction) => {
    if (d < nearest[cell]!) {
      nearest[cell] = d
      bedAt[cell] = bedM
      fractionAt[cell] = fraction
    }
  })
  for (let i = 0; i < n; i++) {
    const d = nearest[i]!
    if (d === Infinity) continue
    const f = fractionAt[i]!
    const floor = riverFloorHalfWidthM(f, 0)
    const ramp = smoothstep(floor, floor + riverWallWidthM(f), d)
    const bed = bedAt[i]!
    target[i] = bed + Math.max(0, target[i]! - bed) * ramp
  }
}
