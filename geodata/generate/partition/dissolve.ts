import type { MultiPolygon, Position } from 'geojson'
import * as polyclip from 'polyclip-ts'
import { fromPolyclip } from './clip.js'
import { areaKm2, finish, multiPolygon, ringArea, ringsOf } from './rings.js'
import { geometryProblems } from './validity.js'

/** Union of MultiPolygons, holes under `maxHoleKm2` closed, rounded. */
export function dissolve(geoms: Position[][][][], maxHoleKm2: number): Position[][][] {
  const [first, ...rest] = geoms.map((g) => g as polyclip.Geom)
  if (!first) return []
  const rings = fromPolyclip(polyclip.union(first, ...rest))
  return finish(rings.filter((r) => ringArea(r) > 0 || areaKm2([[[...r, r[0]!]]]) >= maxHoleKm2))
}

/**
 * A county outline as a valid MultiPolygon. 55 of the source outlines are not valid as they stand:
 * zero-width spikes (宁远县 loses 1,156 of its 2,098 vertices to them), rings that touch themselves at a
 * vertex and two small bow-ties (鹤城区, 中方县). Rounding and cleaning (spikes dropped, rings split where
 * they touch themselves) fixes them all while keeping the area (to ≤ 4e-7); a polyclip union of the
 * outline with itself remains as the fallback for anything else.
 */
export function repairOutline(outline: MultiPolygon): Position[][][] {
  const plain = finish(ringsOf(outline.coordinates))
  if (plain.length > 0 && geometryProblems(multiPolygon(plain)).length === 0) return plain
  const repaired = finish(fromPolyclip(polyclip.union(outline.coordinates as polyclip.Geom)))
  const problems = geometryProblems(multiPolygon(repaired))
  if (problems.length > 0) throw new Error(`outline still invalid after repair: ${problems.slice(0, 3).join('; ')}`)
  return repaired
}
