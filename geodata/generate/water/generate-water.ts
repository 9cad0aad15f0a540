import type { Rng } from '../rng.js'
import { DONGTING_LAKE, mainRiverCourses } from '../terrain/index.js'
import type { Terrain, WaterRow } from '../types.js'
import { routeFlow } from './flow.js'
import { roundPosition } from './measure.js'
import { createNamer } from './names.js'
import { placeReservoirs } from './reservoirs.js'
import { extractTributaries } from './tributaries.js'

export interface GeneratedWater {
  /** Ids from 1: main rivers, the lake, real reservoirs, synthetic reservoirs, tributaries. */
  rows: WaterRow[]
  counts: { mainRivers: number; lakes: number; reservoirs: number; tributaries: number }
}

export function generateWater(terrain: Terrain, rng: Rng): GeneratedWater {
  const courses = mainRiverCourses()
  const flow = routeFlow(terrain)
  const streams = extractTributaries(terrain, flow, courses)
  const names = createNamer(rng.fork('water-names'))
  const reservoirs = placeReservoirs(terrain, flow, courses, streams, rng.fork('water-reservoirs'), names)

  const rows: WaterRow[] = []
  const nextId = () => rows.length + 1
  const maxTributaryOrder = streams.reduce((m, s) => Math.max(m, s.order), 1)
  for (const course of courses) {
    rows.push({
      id: nextId(),
      kind: 'river',
      name: course.name,
      stream_order: maxTributaryOrder + 1,
      capacity: null,
      area_code: null,
      geom: { type: 'LineString', coordinates: course.coords.map(roundPosition) },
    })
  }
  rows.push({
    id: nextId(),
    kind: 'lake',
    name: '洞庭湖',
    stream_order: null,
    capacity: null,
    area_code: null,
    geom: { type: 'MultiPolygon', coordinates: DONGTING_LAKE.map((part) => [part.ring.map(roundPosition)]) },
  })
  for (const r of reservoirs) {
    rows.push({ id: nextId(), kind: 'reservoir', name: r.name, stream_order: null, capacity: r.capacity, area_code: null, geom: r.geom })
  }
  for (const s of streams) {
    rows.push({
      id: nextId(),
      kind: 'river',
      name: names.river(s.order),
      stream_order: s.order,
      capacity: null,
      area_code: null,
      geom: { type: 'LineString', coordinates: s.line.map(roundPosition) },
    })
  }
  return {
    rows,
    counts: { mainRivers: courses.length, lakes: 1, reservoirs: reservoirs.length, tributaries: streams.length },
  }
}
