/**
 * The division hierarchy as the later generators need it (village → township → county → prefecture),
 * plus the short display names used in facility, road and project names. The NBS village list
 * names most villages by their committee (`大坪村民委员会`, `红星社区居委会`); people say `大坪村`.
 */
import type { AdminAreaRow, Terrain } from './types.js'
import { lonLatOf, samplePositions, type LonLat } from './spatial-index.js'

const VILLAGE_COMMITTEE = /(村民委委会|村民委员会|村委会|民委员会)会?$/
const COMMUNITY_COMMITTEE = /(居民委员会|居委会|委员会)[会二]?$/

/** `大坪村民委员会` → `大坪村`, `花园村村民委员会` → `花园村`, `红星社区居委会` → `红星社区`. */
export function shortAreaName(name: string): string {
  if (VILLAGE_COMMITTEE.test(name)) {
    const stem = name.replace(VILLAGE_COMMITTEE, '')
    return stem.endsWith('村') ? stem : `${stem}村`
  }
  if (COMMUNITY_COMMITTEE.test(name)) {
    const stem = name.replace(COMMUNITY_COMMITTEE, '')
    return stem.endsWith('社区') ? stem : `${stem}社区`
  }
  return name
}

/** A rural administrative village (行政村), as opposed to an urban community or a farm/camp area. */
export function isRuralVillage(area: Pick<AdminAreaRow, 'name' | 'level'>): boolean {
  if (area.level !== 'village') return false
  const n = area.name
  return n.includes('村') && !/社区|居委会|居民委员会|生活区|监狱/.test(n)
}

/** 镇 or 乡 (rural township), as opposed to a 街道 (urban subdistrict) or a farm. */
export function isRuralTownship(name: string): boolean {
  return /[镇乡]$/.test(name)
}

export interface AreaNode {
  row: AdminAreaRow
  seat: LonLat | null
  children: AreaNode[]
  parent: AreaNode | null
}

export class AdminLookup {
  readonly byCode = new Map<string, AreaNode>()
  /** Sorted by code. */
  readonly prefectures: AreaNode[] = []
  readonly counties: AreaNode[] = []
  readonly townships: AreaNode[] = []
  readonly villages: AreaNode[] = []
  province: AreaNode | null = null

  constructor(areas: readonly AdminAreaRow[]) {
    const sorted = [...areas].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    for (const row of sorted)
      this.byCode.set(row.code, { row, seat: row.seat ? lonLatOf(row.seat) : null, children: [], parent: null })
    for (const node of this.byCode.values()) {
      const parent = node.row.parent_code ? this.byCode.get(node.row.parent_code) : undefined
      if (parent) {
        node.parent = parent
        parent.children.push(node)
      }
      switch (node.row.level) {
        case 'province':
          this.province = node
          break
        case 'prefecture':
          this.prefectures.push(node)
          break
        case 'county':
          this.counties.push(node)
          break
        case 'township':
          this.townships.push(node)
          break
        case 'village':
          this.villages.push(node)
          break
      }
    }
  }

  get(code: string): AreaNode | undefined {
    return this.byCode.get(code)
  }

  /** The ancestor of `code` at `level` (or the area itself). */
  ancestor(code: string, level: AdminAreaRow['level']): AreaNode | undefined {
    let node = this.byCode.get(code)
    while (node && node.row.level !== level) node = node.parent ?? undefined
    return node
  }

  countyOf(code: string): AreaNode | undefined {
    return this.ancestor(code, 'county')
  }

  townshipOf(code: string): AreaNode | undefined {
    return this.ancestor(code, 'township')
  }
}

export interface VillageTerrain {
  /** Mean slope over the village seat and up to 8 sample points of its area. */
  slopeDeg: number
  /** Rank of slopeDeg among the rural villages, 0 (flattest) to 1 (steepest); 0 for urban communities. */
  steepness: number
}

/**
 * Slope of every village with a seat, and its rank. Thresholds in the generators use the rank, so
 * they hold whatever the terrain model's slope scale (a 250 m DEM flattens slopes a lot).
 */
export function villageTerrain(villages: readonly AreaNode[], terrain: Terrain): Map<string, VillageTerrain> {
  const out = new Map<string, VillageTerrain>()
  const rural: { code: string; slope: number }[] = []
  for (const v of villages) {
    if (!v.seat) continue
    const pts = [v.seat, ...(v.row.geom ? samplePositions(v.row.geom, 8) : [])]
    const slope = pts.reduce((s, p) => s + terrain.slopeDeg(p[0], p[1]), 0) / pts.length
    out.set(v.row.code, { slopeDeg: slope, steepness: 0 })
    if (isRuralVillage(v.row)) rural.push({ code: v.row.code, slope })
  }
  rural.sort((a, b) => a.slope - b.slope || (a.code < b.code ? -1 : 1))
  rural.forEach((r, i) => (out.get(r.code)!.steepness = rural.length > 1 ? i / (rural.length - 1) : 0.5))
  return out
}
