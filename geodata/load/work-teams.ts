import type { LoadQueryable } from './load-target.js'
import { csvChunks } from './csv.js'
import { generateMeasures, generateVillageTeam, type MeasureHousehold, type MeasureRow, type TeamVillage, type VillageTeamRows } from '../generate/work-teams.js'

/**
 * The tables the demo fills here, children first (what a load empties before its own TRUNCATE): migration
 * 0016's, and the assistance measures (帮扶计划) of migration 0012, which a reload of the registry replaces too.
 */
export const WORK_TEAM_TABLES = ['assistance_measure', 'household_wish', 'household_pairing', 'work_team_member', 'work_team'] as const

const COLUMNS = {
  work_team: ['village_code', 'dispatched_by', 'resident', 'started_on', 'ended_on'],
  work_team_member: ['id', 'village_code', 'role', 'name', 'unit', 'phone', 'started_on', 'ended_on'],
  household_pairing: ['household_id', 'cadre_id', 'village_code', 'since'],
  household_wish: ['id', 'household_id', 'village_code', 'kind', 'note', 'recorded_on', 'status'],
  assistance_measure: ['household_id', 'village_code', 'family', 'title', 'cadre', 'amount_yuan', 'start_date', 'target_date', 'status', 'notes'],
} as const

/**
 * Work teams, pairings and wishes for the registry just loaded (geodata/generate/work-teams.ts), one
 * county at a time (the province scale holds 1.7 million households), in the load's transaction. Read
 * back from the database in code and id order, so the same load gives the same rows. Returns row counts.
 */
export async function loadWorkTeams(tx: LoadQueryable, seed: number): Promise<Record<string, number>> {
  const counties = (await tx.query<{ code: string; name: string }>("SELECT code, name FROM admin_area WHERE level = 'county' ORDER BY code")).rows
  const counts: Record<string, number> = { work_team: 0, work_team_member: 0, household_pairing: 0, household_wish: 0, assistance_measure: 0 }
  let id = 0
  const nextId = () => ++id
  for (const county of counties) {
    const villages = (
      await tx.query<{ code: string; poverty: boolean }>(
        "SELECT code, poverty_designated AS poverty FROM admin_area WHERE level = 'village' AND starts_with(code, $1) ORDER BY code",
        [county.code],
      )
    ).rows
    if (villages.length === 0) continue
    const households = (
      await tx.query<{ id: string; village: string; poor: boolean; lifted: boolean; mainCause: string }>(
        `SELECT h.id::text AS id, h.village_code AS village, COALESCE(y.status IN ('poor', 'returned'), false) AS poor,
                COALESCE(y.status = 'lifted', false) AS lifted, h.main_cause AS "mainCause"
         FROM household h
         LEFT JOIN LATERAL (SELECT status FROM household_year x WHERE x.household_id = h.id ORDER BY x.year DESC LIMIT 1) y ON true
         WHERE starts_with(h.village_code, $1) ORDER BY h.village_code, h.id`,
        [county.code],
      )
    ).rows
    const byVillage = new Map<string, MeasureHousehold[]>()
    for (const h of households) {
      let list = byVillage.get(h.village)
      if (!list) byVillage.set(h.village, (list = []))
      list.push({ id: h.id, poor: h.poor, lifted: h.lifted, mainCause: h.mainCause })
    }
    const measures: MeasureRow[] = []
    const rows: VillageTeamRows[] = villages.map((v) => {
      const village: TeamVillage = { code: v.code, poverty: v.poverty, countyName: county.name }
      const list = byVillage.get(v.code) ?? []
      const made = generateVillageTeam(seed, village, list, nextId)
      // Each household's plan names its paired cadre as the one responsible.
      const cadreName = new Map(made.members.map((m) => [m.id, m.name]))
      made.pairings.forEach((p, i) => measures.push(...generateMeasures(seed, v.code, list[i]!, cadreName.get(p.cadre_id)!)))
      return made
    })
    const tables = {
      work_team: rows.flatMap((r) => (r.team ? [r.team] : [])),
      work_team_member: rows.flatMap((r) => r.members),
      household_pairing: rows.flatMap((r) => r.pairings),
      household_wish: rows.flatMap((r) => r.wishes),
      assistance_measure: measures,
    }
    for (const table of ['work_team', 'work_team_member', 'household_pairing', 'household_wish', 'assistance_measure'] as const) {
      const list = tables[table] as unknown as Record<string, unknown>[]
      if (list.length > 0) counts[table]! += await tx.copyFrom(table, COLUMNS[table], csvChunks(list, COLUMNS[table] as readonly string[]))
    }
  }
  // Identity columns keep counting after the loaded ids.
  await tx.query("SELECT setval(pg_get_serial_sequence('work_team_member', 'id'), GREATEST((SELECT max(id) FROM work_team_member), 1))")
  await tx.query("SELECT setval(pg_get_serial_sequence('household_wish', 'id'), GREATEST((SELECT max(id) FROM household_wish), 1))")
  return counts
}
