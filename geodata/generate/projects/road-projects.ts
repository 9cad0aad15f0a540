import type { LineString, Position } from 'geojson'
import { LAST_YEAR } from '../../../domain/codes.js'
import { shortAreaName } from '../admin-lookup.js'
import type { Rng } from '../rng.js'
import { PAVED_BEFORE_REGISTRY, type RoadNetwork } from '../roads/index.js'
import type { ProjectRow } from '../types.js'
import type { ProjectContext } from './context.js'
import { builtStage, stageFor } from './stages.js'

/** The village road's rows joined into one line from the village seat to the township seat. */
function villageRoadLine(net: RoadNetwork, ids: readonly number[]): LineString | null {
  const byId = new Map<number, Position[]>()
  for (const id of ids) {
    const row = net.rows[id - 1]
    if (row && row.id === id) byId.set(id, row.geom.coordinates)
  }
  const coords: Position[] = []
  for (const id of ids) {
    const c = byId.get(id)
    if (!c) continue
    for (const p of c) {
      const last = coords[coords.length - 1]
      if (!last || last[0] !== p[0] || last[1] !== p[1]) coords.push(p)
    }
  }
  return coords.length >= 2 ? { type: 'LineString', coordinates: coords } : null
}

function lineKm(line: LineString): number {
  let km = 0
  const c = line.coordinates
  for (let i = 1; i < c.length; i++) {
    const a = c[i - 1]!
    const b = c[i]!
    const cosLat = Math.cos((((a[1]! + b[1]!) / 2) * Math.PI) / 180)
    km += Math.hypot((b[0]! - a[0]!) * cosLat * 111.32, (b[1]! - a[1]!) * 110.574)
  }
  return km
}

/**
 * Every village road paved 2015–2020 is a project of that year along the road; a few township and
 * county road upgrades in poverty counties, the latest still planned.
 */
export function roadProjects(ctx: ProjectContext, roadRng: Rng): void {
  const { lookup, demo, countyOf, householdsIn, villagesUnder, add } = ctx
  const { roads } = ctx.input
  for (const [code, year] of [...roads.villageHardenedYear].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (year <= PAVED_BEFORE_REGISTRY || year > LAST_YEAR) continue
    const line = villageRoadLine(roads, roads.villageRoadIds.get(code) ?? [])
    const v = lookup.get(code)
    if (!line || !v) continue
    const km = lineKm(line)
    add(
      {
        type: 'road',
        name: `${shortAreaName(v.row.name)}通村公路硬化工程`,
        stage: builtStage(year, roadRng),
        year,
        budget: km * roadRng.range(450_000, 900_000),
        county_code: countyOf(code),
        village_code: code,
        beneficiary_households: householdsIn(code, year),
        beneficiary_villages: 1,
        geom: line,
      },
      roadRng,
    )
  }
  // Upgrades of township and county roads in poverty counties.
  const nodeArea = new Map<number, string>()
  for (const [code, node] of roads.seatNode) {
    const level = lookup.get(code)?.row.level
    if ((level === 'township' || level === 'county') && !nodeArea.has(node)) nodeArea.set(node, code)
  }
  const upgradesByCounty = new Map<string, ProjectRow['geom'][]>()
  const candidates = roads.rows.filter((r) => (r.class === 'township' || r.class === 'county') && nodeArea.has(r.source_node) && nodeArea.has(r.target_node))
  for (const r of candidates) {
    const a = nodeArea.get(r.source_node)!
    const county = countyOf(a)
    if (!ctx.povertyCounties.includes(county)) continue
    const list = upgradesByCounty.get(county) ?? []
    if (list.length >= 3 || !roadRng.chance(demo ? 0.25 : 0.5)) continue
    list.push(r.geom)
    upgradesByCounty.set(county, list)
    const b = nodeArea.get(r.target_node)!
    const villages = [...new Set([...villagesUnder(a), ...villagesUnder(b)])]
    const year = roadRng.weighted([2016, 2017, 2018, 2019, 2020], [10, 15, 20, 25, 30])
    add(
      {
        type: 'road',
        name: `${r.name ?? ''}${lookup.get(a)!.row.name}至${lookup.get(b)!.row.name}公路提质改造工程`,
        stage: stageFor(year, roadRng),
        year,
        budget: (r.length_m / 1000) * roadRng.range(1_500_000, 3_000_000),
        county_code: county,
        village_code: null,
        beneficiary_households: villages.reduce((s, v) => s + householdsIn(v, year), 0),
        beneficiary_villages: villages.length,
        geom: r.geom,
      },
      roadRng,
    )
  }
}
