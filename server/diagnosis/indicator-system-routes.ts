import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errorResponses } from '../../domain/schemas/common.js'
import { IndicatorPatch, IndicatorQuery, IndicatorSystemEntry, IndicatorVersion, MeasureJob, MeasureJobConflict } from '../../domain/identification/schemas.js'
import type { Queryable } from '../db/types.js'
import { jobBusy, measureJobsFor } from '../identification/measure-jobs.js'
import { INDICATOR_EDIT, INDICATOR_SYSTEM, INDICATOR_SYSTEM_ONE, INDICATOR_VERSIONS } from './indicator-system-queries.js'
import { noIndicator } from './lookups.js'
import { LONG_ADMIN_STATEMENT } from '../identification/identification-queries.js'

interface Row extends Omit<IndicatorSystemEntry, 'threshold'> {
  tValue: number | null
  tBasis: 'exit_criterion' | 'planning_target' | 'deprivation_cutoff' | null
  tZh: string | null
  tEn: string | null
}
const entry = ({ tValue, tBasis, tZh, tEn, ...d }: Row): IndicatorSystemEntry => ({
  ...d,
  threshold: tValue === null || tBasis === null ? null : { value: tValue, basis: tBasis, note: { zh: tZh ?? '', en: tEn ?? '' } },
})

/** The patch as the columns of indicator_def_edit (snake case; a null threshold clears all four). */
function patchColumns(p: IndicatorPatch): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const copy = { nameZh: 'name_zh', nameEn: 'name_en', unit: 'unit', direction: 'direction', category: 'category', dimension: 'dimension', source: 'source', description: 'description' } as const
  for (const [k, col] of Object.entries(copy)) if (k in p) out[col] = p[k as keyof typeof copy]
  if (p.threshold !== undefined) {
    out.threshold_value = p.threshold?.value ?? null
    out.threshold_basis = p.threshold?.basis ?? null
    out.threshold_note_zh = p.threshold?.note.zh ?? null
    out.threshold_note_en = p.threshold?.note.en ?? null
  }
  return out
}

/**
 * The indicator system (指标体系), defined once in indicator_def: read by everyone with data access,
 * edited by the province administrator only (checked here and again in the database), every edit a
 * new version with who, when and why. Choropleths, the diagnosis panel and identification read it.
 */
const indicatorSystemRoutes: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/api/indicator-system',
    { schema: { summary: 'Every indicator: names, unit, level, direction, thresholds, source, dimension, version', tags: ['diagnosis'], response: { 200: Type.Array(IndicatorSystemEntry) } } },
    async (req) => (await app.scopedDb(req).query<Row>(INDICATOR_SYSTEM)).rows.map(entry),
  )

  r.post(
    '/api/indicator-system',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Edit an indicator (province administrator): a new version; a changed AF cut-off or direction answers 202 with a background job',
        description:
          'An AF indicator whose cut-off or direction changes re-identifies every household: the edit and the re-identification run as one ' +
          'background job (GET /api/identification/config/jobs/{id}); 409 while another change of the measure runs.',
        tags: ['diagnosis'],
        querystring: IndicatorQuery,
        body: IndicatorPatch,
        response: { 200: IndicatorSystemEntry, 202: MeasureJob, 409: MeasureJobConflict, ...errorResponses(400, 403, 404) },
      },
    },
    async (req, reply) => {
      const code = req.query.indicator
      const { note, ...patch } = req.body
      const jobs = measureJobsFor(app.requestDb)
      const scoped = app.scopedDb(req)
      const edit = (tx: Queryable) => tx.query(INDICATOR_EDIT, [code, JSON.stringify(patchColumns(patch)), note ?? null])
      const checked = await scoped.run(async (tx) => {
        const before = (await tx.query<Row>(INDICATOR_SYSTEM_ONE, [code])).rows[0]
        if (!before) return null
        const basis = patch.threshold?.basis
        if (basis && (basis === 'deprivation_cutoff') !== (before.level === 'household')) return { bad: 'deprivation_cutoff is the basis of household (AF) indicators, and theirs only' }
        if (before.afBit !== null && patch.threshold === null) return { bad: 'an AF indicator needs its deprivation cut-off' }
        const reidentify =
          before.afBit !== null && ((patch.threshold !== undefined && patch.threshold?.value !== before.tValue) || (patch.direction !== undefined && patch.direction !== before.direction))
        if (reidentify) return { reidentify: true as const }
        await edit(tx)
        return { row: (await tx.query<Row>(INDICATOR_SYSTEM_ONE, [code])).rows[0]! }
      })
      if (!checked) return reply.code(404).send(noIndicator(code))
      if ('bad' in checked) return reply.code(400).send({ error: 'Bad Request', message: checked.bad!, fields: { threshold: checked.bad! } })
      if ('row' in checked && checked.row) {
        const row = checked.row
        await app.audit(req, { action: 'indicator.edit', outcome: 'ok', area: req.caller!.scope, target: `indicator:${code}`, detail: { version: row.version } })
        return entry(row)
      }
      // A changed AF cut-off or direction re-identifies every household: minutes at province scale, so a
      // background job (server/identification/measure-jobs.ts) makes the edit and the re-identification in one transaction.
      const started = jobs.start(
        'indicator',
        req.caller!.userId,
        (progress) =>
          scoped.run(async (tx) => {
            await tx.exec(LONG_ADMIN_STATEMENT)
            progress(0, 'identify')
            await edit(tx)
            progress(1, 'commit')
          }),
        (err) => req.log.error({ err }, `indicator system: the re-identification job for ${code} failed`),
      )
      if ('busy' in started) return reply.code(409).send(jobBusy(started.busy))
      await app.audit(req, { action: 'indicator.edit', outcome: 'ok', area: req.caller!.scope, target: `indicator:${code}`, detail: { job: started.id } })
      return reply.code(202).header('location', `/api/identification/config/jobs/${started.id}`).send(started)
    },
  )

  r.get(
    '/api/indicator-system/versions',
    {
      schema: {
        summary: "An indicator's version history, newest first",
        tags: ['diagnosis'],
        querystring: IndicatorQuery,
        response: { 200: Type.Array(IndicatorVersion), ...errorResponses(400, 404) },
      },
    },
    async (req, reply) => {
      const { rows } = await app.scopedDb(req).query<IndicatorVersion>(INDICATOR_VERSIONS, [req.query.indicator])
      return rows.length ? rows : reply.code(404).send(noIndicator(req.query.indicator))
    },
  )
}

export default indicatorSystemRoutes
