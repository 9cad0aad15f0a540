import type { Point, Position } from 'geojson'
import { ADMIN_LEVELS } from '../../../domain/admin-codes.js'
import type { Rng } from '../rng.js'
import type { AdminAreaRow, Terrain } from '../types.js'
import { dissolve, repairOutline } from './dissolve.js'
import { isCommunity, isStreetOffice } from './names.js'
import { nodeTogether } from './noding.js'
import { polyIndex } from './poly-index.js'
import { POVERTY_COUNTY_CODES } from './poverty-counties.js'
import { partitionRegion, type RegionPlan, type RegionUnit } from './region.js'
import { finish, interiorPoint, multiPolygon, ringsOf, roundPt, strictlyInside, type Pt } from './rings.js'
import { bestSeat, countySeat, radiusOf } from './seats.js'
import type { DivisionRecord, PartitionSources, ZoneRecord } from './sources.js'
import { surfaceOf, type ElevationFn, type ElevationModel } from './surface.js'
import { geometryProblems } from './validity.js'

/**
 * Holes smaller than this in a dissolve are slivers between county outlines that do not quite meet
 * (the source has one of ≈ 0.005 km² at 111.735E 29.920N) and are closed. The one larger hole in the
 * province (≈ 11.6 km² between 会同县 and 靖州县 at 109.53–109.60E, 26.72–26.77N) is kept: it is compact and
 * lies between two counties only, so it is a gap in the source, not a misaligned border.
 */
const SLIVER_HOLE_KM2 = 1
/** Holes below this in a zone (union of its township cells) are rounding artefacts. */
const ZONE_SLIVER_HOLE_KM2 = 0.001

function villagePopulation(name: string, inStreetOffice: boolean, elevation: number, rng: Rng): number {
  if (isCommunity(name)) return rng.int(0, 300)
  // ≈ 2,500 people in the plains, ≈ 1,250 at 900 m; clamped to the range of real villages.
  const typical = 2500 / (1 + Math.max(0, elevation) / 900)
  const p = Math.min(3500, Math.max(800, typical * Math.exp(rng.normal(0, 0.25))))
  // A village under a street office has mostly been built over.
  return Math.round(inStreetOffice ? p * 0.4 : p)
}

/**
 * Every division of `input.divisions` as an admin_area row, sorted by code. The divisions may be a
 * subset (a few counties with their ancestors and descendants); a zone needs its boundary parent in it.
 *
 * Zones: their townships are placed inside the boundary parent's outline together with the parent's
 * own townships, clustered round the zone's probe point, and the zone's geometry is the union of its
 * townships. The parent county keeps its full real outline, so it overlaps the zone — that is how
 * these zones are: carved out administratively, not cut from the outline the boundary source draws.
 * `onProgress` hears of each county done (the counties take nearly all the time).
 */
export function partitionAdmin(
  input: PartitionSources,
  terrain: Terrain | ElevationModel | ElevationFn,
  rng: Rng,
  onProgress?: (done: number, total: number) => void,
): AdminAreaRow[] {
  const surface = surfaceOf(terrain)
  const byCode = new Map<string, DivisionRecord>()
  const children = new Map<string, DivisionRecord[]>()
  for (const d of input.divisions) {
    if (byCode.has(d.code)) throw new Error(`division ${d.code} appears twice`)
    byCode.set(d.code, d)
  }
  for (const d of input.divisions) {
    if (d.level === 'province') {
      if (d.parent !== null) throw new Error(`province ${d.code} has a parent`)
      continue
    }
    if (!d.parent || !byCode.has(d.parent)) throw new Error(`division ${d.code} ${d.name}: parent ${d.parent} missing`)
    const list = children.get(d.parent)
    if (list) list.push(d)
    else children.set(d.parent, [d])
  }
  for (const list of children.values()) list.sort((a, b) => (a.code < b.code ? -1 : 1))
  const kids = (code: string) => children.get(code) ?? []

  const outlines = new Map(input.counties.features.map((f) => [f.properties.code, f.geometry]))
  const zoneByCode = new Map(input.reconciliation.zones.map((z) => [z.code, z]))
  const counties = input.divisions.filter((d) => d.level === 'county').sort((a, b) => (a.code < b.code ? -1 : 1))
  const zonesOf = new Map<string, ZoneRecord[]>()
  for (const c of counties) {
    if (outlines.has(c.code)) continue
    const zone = zoneByCode.get(c.code)
    if (!zone) throw new Error(`county ${c.code} ${c.name} has no outline and no zone entry in reconciliation.json`)
    if (!outlines.has(zone.boundaryParent)) throw new Error(`zone ${c.code}: boundary parent ${zone.boundaryParent} has no outline`)
    if (!byCode.has(zone.boundaryParent)) {
      throw new Error(`zone ${c.code} ${c.name} needs its boundary parent ${zone.boundaryParent} among the divisions`)
    }
    const list = zonesOf.get(zone.boundaryParent)
    if (list) list.push(zone)
    else zonesOf.set(zone.boundaryParent, [zone])
  }

  const rows = new Map<string, AdminAreaRow>()
  const put = (d: DivisionRecord, geom: Position[][][] | null, seat: Pt | null, synthetic: boolean) => {
    rows.set(d.code, {
      code: d.code,
      level: d.level,
      name: d.name,
      parent_code: d.parent,
      geom: geom && geom.length > 0 ? multiPolygon(geom) : null,
      seat: seat ? ({ type: 'Point', coordinates: [seat[0], seat[1]] } satisfies Point) : null,
      poverty_designated: d.level === 'county' && POVERTY_COUNTY_CODES.has(d.code),
      rural_population: d.level === 'village' ? 0 : null,
      geom_synthetic: synthetic,
    })
  }
  const countyGeoms = new Map<string, Position[][][]>()

  const partitionTownship = (t: DivisionRecord, unit: RegionUnit, seat: Pt) => {
    const villages = kids(t.code)
    if (villages.length === 0) return
    const trng = rng.fork(`township:${t.code}`)
    const community = villages.flatMap((v, i) => (isCommunity(v.name) ? [i] : []))
    const others = villages.flatMap((v, i) => (isCommunity(v.name) ? [] : [i]))
    const plan: RegionPlan = {
      n: villages.length,
      seat,
      seatUnit: community[0] ?? null,
      nearSeat: community.slice(1),
      clusters: [],
      rest: others,
      weights: villages.map(() => 1),
      bumps: [{ at: seat, weight: community.length }],
    }
    const parts = partitionRegion(unit.rings, plan, surface, trng.fork('villages'), `township ${t.code} ${t.name}`)
    const prng = trng.fork('population')
    villages.forEach((v, i) => {
      const part = parts[i]!
      const vSeat =
        i === plan.seatUnit && strictlyInside(seat, part.geom)
          ? seat
          : bestSeat([part.seed, ...part.samples], part.geom, surface, part.seed, radiusOf(part.rings))
      put(v, part.geom, vSeat, true)
      const pts = part.samples.length > 0 ? part.samples : [vSeat]
      const elevation = pts.reduce((s, p) => s + surface.elevation(p[0], p[1]), 0) / pts.length
      rows.get(v.code)!.rural_population = villagePopulation(v.name, isStreetOffice(t.name), elevation, prng)
    })
  }

  for (const [done, c] of counties.entries()) {
    onProgress?.(done, counties.length)
    const outline = outlines.get(c.code)
    if (!outline) continue
    const crng = rng.fork(`county:${c.code}`)
    let geom: Position[][][]
    try {
      geom = repairOutline(outline)
    } catch (cause) {
      throw new Error(`Unable to use the outline of county ${c.code} ${c.name}`, { cause })
    }
    countyGeoms.set(c.code, geom)
    const rings = ringsOf(geom)
    const seat = countySeat(rings, geom, surface, crng.fork('seat'))
    put(c, geom, seat, false)

    const own = kids(c.code)
    const zones = zonesOf.get(c.code) ?? []
    const units: DivisionRecord[] = [...own, ...zones.flatMap((z) => kids(z.code))]
    if (units.length === 0) continue
    const idx = polyIndex(rings)
    const clusters = zones.map((z) => {
      const anchor: Pt = idx.contains(z.probe[0], z.probe[1]) ? z.probe : (interiorPoint(geom) ?? seat)
      const first = units.findIndex((u) => u.parent === z.code)
      return { zone: z, anchor, units: kids(z.code).map((_, k) => first + k) }
    })
    // Street offices are dense: their communities make the density bump round the seat (or zone anchor).
    const urbanWeight = (t: DivisionRecord) =>
      isStreetOffice(t.name) ? Math.max(1, kids(t.code).filter((v) => isCommunity(v.name)).length) : 0
    const plan: RegionPlan = {
      n: units.length,
      seat,
      seatUnit: own.length > 0 ? 0 : null,
      nearSeat: own.flatMap((t, i) => (i > 0 && isStreetOffice(t.name) ? [i] : [])),
      clusters: clusters.map(({ anchor, units: u }) => ({ anchor, units: u })),
      rest: own.flatMap((t, i) => (i > 0 && !isStreetOffice(t.name) ? [i] : [])),
      // A township's share of the outline: its number of villages.
      weights: units.map((t) => Math.max(1, kids(t.code).length)),
      bumps: [
        { at: seat, weight: own.reduce((s, t) => s + urbanWeight(t), 0) },
        ...clusters.map(({ zone, anchor }) => ({ at: anchor, weight: kids(zone.code).reduce((s, t) => s + urbanWeight(t), 0) })),
      ],
    }
    const parts = partitionRegion(rings, plan, surface, crng.fork('townships'), `county ${c.code} ${c.name}`)
    units.forEach((t, i) => {
      const part = parts[i]!
      const tSeat =
        i === plan.seatUnit && strictlyInside(seat, part.geom)
          ? seat
          : bestSeat([part.seed, ...part.samples], part.geom, surface, part.seed, radiusOf(part.rings))
      put(t, part.geom, tSeat, true)
      partitionTownship(t, part, tSeat)
    })
    // Townships and villages share their boundary vertices; the real outline stays as it is.
    const members = units.flatMap((t) => [t, ...kids(t.code)]).map((d) => rows.get(d.code)!)
    const before = members.map((r) => r.geom!.coordinates)
    const noded = nodeTogether(before, [geom, ...before])
    members.forEach((r, i) => {
      const changed = noded[i]!.some((poly, pi) => poly.some((ring, ri) => ring.length !== before[i]![pi]![ri]!.length))
      if (!changed) return
      const g = finish(ringsOf(noded[i]!))
      // Should noding make a ring touch itself, the un-noded shape stays: valid beats seamless.
      if (g.length === 0 || geometryProblems(multiPolygon(g)).length > 0) return
      r.geom = multiPolygon(g)
      if (r.seat && !strictlyInside(r.seat.coordinates as Pt, g)) {
        const q = interiorPoint(g)
        if (!q || !strictlyInside(roundPt(q), g)) throw new Error(`no seat inside ${r.level} ${r.code}`)
        r.seat = { type: 'Point', coordinates: roundPt(q) }
      }
    })
    for (const { zone } of clusters) {
      const d = byCode.get(zone.code)!
      const townships = kids(zone.code)
      const zGeom = dissolve(
        townships.map((t) => rows.get(t.code)!.geom!.coordinates),
        ZONE_SLIVER_HOLE_KM2,
      )
      const first = townships[0] ? rows.get(townships[0].code)!.seat : null
      put(d, zGeom, first ? (first.coordinates as Pt) : null, true)
    }
  }

  // Prefectures: dissolve of their counties' outlines; the seat is the first urban district's (xx02).
  const prefectures = input.divisions.filter((d) => d.level === 'prefecture').sort((a, b) => (a.code < b.code ? -1 : 1))
  for (const p of prefectures) {
    const members = kids(p.code)
    const geoms = members.flatMap((c) => {
      const g = countyGeoms.get(c.code)
      return g ? [g] : []
    })
    const geom = geoms.length > 0 ? dissolve(geoms, SLIVER_HOLE_KM2) : null
    const seatCounty = members.find((c) => c.code === `${p.code}02`) ?? members[0]
    const seat = seatCounty ? rows.get(seatCounty.code)?.seat : null
    put(p, geom, seat ? (seat.coordinates as Pt) : null, false)
  }
  for (const prov of input.divisions.filter((d) => d.level === 'province')) {
    const prefs = kids(prov.code)
    const geoms = prefs.flatMap((p) => {
      const g = rows.get(p.code)?.geom
      return g ? [g.coordinates] : []
    })
    const geom = geoms.length > 0 ? dissolve(geoms, SLIVER_HOLE_KM2) : null
    // 长沙市 (4301) is the capital.
    const capital = prefs.find((p) => p.code === `${prov.code}01`) ?? prefs[0]
    const seat = capital ? rows.get(capital.code)?.seat : null
    put(prov, geom, seat ? (seat.coordinates as Pt) : null, false)
  }

  // Rural population: villages drawn above, every level above is the sum of its children.
  const levelsUp = [...ADMIN_LEVELS].reverse().slice(1)
  for (const level of levelsUp) {
    for (const row of rows.values()) {
      if (row.level !== level) continue
      row.rural_population = kids(row.code).reduce((s, k) => s + (rows.get(k.code)?.rural_population ?? 0), 0)
    }
  }
  return [...rows.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
}
