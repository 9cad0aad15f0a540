import type { FastifyPluginAsync } from 'fastify'
import { LRUCache } from 'lru-cache'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { childCodeLength, type AdminLevel } from '../../domain/admin-codes.js'
import { CodeParams, errorResponses } from '../../domain/schemas/common.js'
import { HouseholdParams } from '../../domain/schemas/households.js'
import { AreaDataQuality, AreaWorkTeams, DataQualityQuery, HouseholdWishes, type Cadre, type QualityCounts } from '../../domain/schemas/workteams.js'
import { REGISTRY_ROLES } from '../../domain/roles.js'
import { AREA_PREFIX, noArea } from '../areas/routes.js'
import { guardHouseholds } from '../households/household-guard.js'
import { AREA_CADRES, AREA_CHILDREN, AREA_HEAD, HOUSEHOLD_CADRE, HOUSEHOLD_WISHES, QUALITY_BY_AREA, VILLAGE_TEAMS, WAITING_BY_AREA, WISH_HOUSEHOLD } from './queries.js'

type TeamCounts = AreaWorkTeams['counts']
interface VillageRow {
  code: string
  name: string
  poverty: boolean
  dispatchedBy: string | null
  resident: boolean | null
  startedOn: string | null
  endedOn: string | null
  activeTeam: boolean
  residentTeam: boolean
  cadres: number
  pairedHouseholds: number
  households: number
}

const emptyTeamCounts = (): TeamCounts => ({
  villages: 0, povertyVillages: 0, withTeam: 0, withResidentTeam: 0, withoutResidentTeam: 0, povertyWithoutResidentTeam: 0, cadres: 0, pairedHouseholds: 0, households: 0,
})

function addVillage(c: TeamCounts, v: VillageRow): void {
  c.villages++
  if (v.poverty) c.povertyVillages++
  if (v.activeTeam) c.withTeam++
  if (v.residentTeam) c.withResidentTeam++
  else c.withoutResidentTeam++
  if (v.poverty && !v.residentTeam) c.povertyWithoutResidentTeam++
  c.cadres += v.cadres
  c.pairedHouseholds += v.pairedHouseholds
  c.households += v.households
}

/** Villages are listed one by one for a county and below (a few hundred at most); above, by child area. */
const LISTS_VILLAGES: readonly AdminLevel[] = ['county', 'township', 'village']

const QUALITY_KEYS = ['outsideVillage', 'invalidIdMembers', 'sizeMismatch', 'notUpdated', 'waitingRequests', 'povertyVillagesWithoutTeam'] as const
const emptyQuality = (): QualityCounts => ({ households: 0, outsideVillage: 0, invalidIdMembers: 0, sizeMismatch: 0, notUpdated: 0, waitingRequests: 0, povertyVillagesWithoutTeam: 0, problems: 0 })
function addQuality(into: QualityCounts, from: Partial<QualityCounts>): void {
  into.households += from.households ?? 0
  for (const k of QUALITY_KEYS) {
    into[k] += from[k] ?? 0
    into.problems += from[k] ?? 0
  }
}

/**
 * Work teams (因村派人), households' development wishes and the data-quality counters of an area (issue
 * 16). Every query runs as the caller: row-level security decides which villages, cadres and households
 * are seen; department viewers and leaders get counts (SECURITY DEFINER functions that count inside
 * their area), never a name. Area routes answer out-of-area codes like every area route (access checks).
 */
const workteams: FastifyPluginAsync = async (app) => {
  guardHouseholds(app)
  // The counters of an area are the same for every caller allowed to ask for it (the whole area lies in its
  // view), and change only with the data behind the quality layer: kept by area, year and that layer's data
  // version (bumped by triggers on households, members, registry years, teams and divisions). Counting an
  // area's members against GB 11643 costs seconds for a prefecture; asking again costs nothing.
  type QualityRow = Omit<QualityCounts, 'waitingRequests' | 'problems'> & { code: string }
  const qualityCache = new LRUCache<string, QualityRow[]>({ max: 2000 })
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    `${AREA_PREFIX}/work-teams`,
    {
      schema: {
        summary: 'Work teams (因村派人) of an area: counts per child area, and for a county and below each village with its team, cadres and the no-resident-team flag',
        description: 'Names, units and masked phones of cadres for registry roles only; department viewers and leaders get the counts (members: null).',
        tags: ['workteams'],
        params: CodeParams,
        response: { 200: AreaWorkTeams, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const { code } = req.params
      const seesNames = REGISTRY_ROLES.includes(req.caller!.role)
      const found = await app.scopedDb(req).run(async (tx) => {
        const head = (await tx.query<{ code: string; name: string; level: AdminLevel }>(AREA_HEAD, [code])).rows[0]
        if (!head) return null
        const villages = (await tx.query<VillageRow>(VILLAGE_TEAMS, [code])).rows
        const children = (await tx.query<{ code: string; name: string }>(AREA_CHILDREN, [code])).rows
        const lists = LISTS_VILLAGES.includes(head.level)
        const cadres = lists && seesNames ? (await tx.query<Cadre & { villageCode: string }>(AREA_CADRES, [code])).rows : null
        return { head, villages, children, lists, cadres }
      })
      if (!found) return reply.code(404).send(noArea(code))
      const { head, villages, children, lists, cadres } = found
      const counts = emptyTeamCounts()
      const childLength = childCodeLength(code)
      const byChild = new Map(children.map((c) => [c.code, { code: c.code, name: c.name, counts: emptyTeamCounts() }]))
      for (const v of villages) {
        addVillage(counts, v)
        if (childLength !== null) {
          const child = byChild.get(v.code.slice(0, childLength))
          if (child) addVillage(child.counts, v)
        }
      }
      const cadresOf = new Map<string, Cadre[]>()
      for (const { villageCode, ...c } of cadres ?? []) {
        let list = cadresOf.get(villageCode)
        if (!list) cadresOf.set(villageCode, (list = []))
        list.push(c)
      }
      return {
        code,
        level: head.level,
        counts,
        children: [...byChild.values()],
        villages: lists
          ? villages.map((v) => ({
              code: v.code,
              name: v.name,
              poverty: v.poverty,
              residentTeam: v.residentTeam,
              flag: v.poverty && !v.residentTeam,
              team: v.dispatchedBy === null ? null : { dispatchedBy: v.dispatchedBy, resident: v.resident!, startedOn: v.startedOn!, endedOn: v.endedOn },
              cadres: v.cadres,
              pairedHouseholds: v.pairedHouseholds,
              households: v.households,
              members: cadres === null ? null : (cadresOf.get(v.code) ?? []),
            }))
          : null,
      }
    },
  )

  r.get(
    `${AREA_PREFIX}/data-quality`,
    {
      schema: {
        summary: 'Data-quality counters of an area and of each child area: households outside their village, members without a valid ID, size mismatches, requests waiting, households not updated',
        description:
          'Counts only (department viewers and leaders included), computed in the database for the villages inside the caller’s area. ' +
          '`notUpdated`: households without a registry record for `year`; `waitingRequests`: change requests pending for longer than `days`. The map layer `quality` draws the same counters per village.',
        tags: ['workteams'],
        params: CodeParams,
        querystring: DataQualityQuery,
        response: { 200: AreaDataQuality, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const { code } = req.params
      const { days, year } = req.query
      const length = childCodeLength(code) ?? code.length
      const key = `${code}|${year}|${(await app.tiles.layerVersions()).get('quality') ?? 0}`
      const cached = qualityCache.get(key)
      const found = await app.scopedDb(req).run(async (tx) => {
        const head = (await tx.query<{ code: string; name: string; level: AdminLevel }>(AREA_HEAD, [code])).rows[0]
        if (!head) return null
        return {
          head,
          children: length === code.length ? [] : (await tx.query<{ code: string; name: string }>(AREA_CHILDREN, [code])).rows,
          quality: cached ?? (await tx.query<QualityRow>(QUALITY_BY_AREA, [code, length, year])).rows,
          waiting: (await tx.query<{ code: string; waiting: number }>(WAITING_BY_AREA, [code, length, days])).rows,
        }
      })
      if (!found) return reply.code(404).send(noArea(code))
      const { head, children, quality, waiting } = found
      if (!cached) qualityCache.set(key, quality)
      const counts = emptyQuality()
      const byChild = new Map(children.map((c) => [c.code, { code: c.code, name: c.name, counts: emptyQuality() }]))
      for (const { code: c, ...q } of quality) {
        addQuality(counts, q)
        const child = byChild.get(c)
        if (child) addQuality(child.counts, q)
      }
      for (const w of waiting) {
        addQuality(counts, { waitingRequests: w.waiting })
        const child = byChild.get(w.code)
        if (child) addQuality(child.counts, { waitingRequests: w.waiting })
      }
      return { code, name: head.name, level: head.level, year, days, counts, children: [...byChild.values()] }
    },
  )

  r.get(
    '/api/households/:id/wishes',
    {
      schema: {
        summary: 'Development wishes and project needs (发展意愿、项目需求) of a household, with its paired cadre (帮扶责任人; phone masked)',
        tags: ['workteams'],
        params: HouseholdParams,
        response: { 200: HouseholdWishes, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const found = await app.scopedDb(req).run(async (tx) => {
        const h = (await tx.query<{ id: string; ref: string; villageCode: string }>(WISH_HOUSEHOLD, [req.params.id])).rows[0]
        if (!h) return null
        return {
          ref: h.ref,
          villageCode: h.villageCode,
          pairedWith: (await tx.query<Cadre>(HOUSEHOLD_CADRE, [h.id])).rows[0] ?? null,
          wishes: (await tx.query<HouseholdWishes['wishes'][number]>(HOUSEHOLD_WISHES, [h.id])).rows,
        }
      })
      // The household guard answered 404 for a household outside the caller's area already.
      return found ?? reply.code(404).send({ error: 'Not Found', message: `no household ${req.params.id}` })
    },
  )
}

export default workteams
