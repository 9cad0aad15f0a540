/** Households' renovations, relocations and water connections, gathered into projects. */
import type { LonLat } from '../spatial-index.js'
import type { ProjectContext } from './context.js'

export interface WorkBundle {
  key: string
  village: string | null
  villages: string[]
  years: Map<number, number>
  households: number
  at: LonLat
}

type VillageWork = { years: Map<number, number>; households: number; lon: number; lat: number }

/** What households went through (renovation, relocation, water), per village in code order. */
export function byVillage(ctx: ProjectContext, kind: 'water' | 'housing' | 'relocation'): [string, VillageWork][] {
  const { summary } = ctx.input
  const m = new Map<string, VillageWork>()
  for (const e of summary.events) {
    if (e.kind !== kind) continue
    const x = m.get(e.village_code) ?? { years: new Map(), households: 0, lon: 0, lat: 0 }
    x.years.set(e.year, (x.years.get(e.year) ?? 0) + e.households)
    x.households += e.households
    x.lon += e.lonSum
    x.lat += e.latSum
    m.set(e.village_code, x)
  }
  return [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1))
}

/** The year most of them fell in (the earliest of a tie). */
export function modalYear(years: Map<number, number>): number {
  return [...years].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0]
}

/** Demo household work counts in poverty villages only. */
export function onlyPovertyInDemo(ctx: ProjectContext, code: string): boolean {
  return ctx.demo && !ctx.input.povertyVillages.has(code)
}

/**
 * Household-level work bundled into projects: one per village at 'province' scale, one per
 * township at 'demo' scale (keeps the demo's project list to a few thousand), placed at the
 * households' mean position or the seat of the village with most of them.
 */
export function bundles(ctx: ProjectContext, kind: 'water' | 'housing', skip: (code: string) => boolean): WorkBundle[] {
  const { demo } = ctx
  const { env } = ctx.input
  const out: WorkBundle[] = []
  const groups = new Map<string, [string, VillageWork][]>()
  for (const entry of byVillage(ctx, kind)) {
    const [code] = entry
    if (skip(code) || !env.villages.get(code)) continue
    const key = demo ? (env.villages.get(code)!.townshipCode ?? code) : code
    groups.set(key, [...(groups.get(key) ?? []), entry])
  }
  for (const [key, list] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const years = new Map<number, number>()
    for (const [, x] of list) for (const [y, n] of x.years) years.set(y, (years.get(y) ?? 0) + n)
    const households = list.reduce((s, [, x]) => s + x.households, 0)
    const top = [...list].sort((a, b) => b[1].households - a[1].households || (a[0] < b[0] ? -1 : 1))[0]!
    const at: LonLat = list.length === 1 ? [top[1].lon / top[1].households, top[1].lat / top[1].households] : env.villages.get(top[0])!.seat
    out.push({ key, village: list.length === 1 && !demo ? top[0] : null, villages: list.map(([c]) => c), years, households, at })
  }
  return out
}
