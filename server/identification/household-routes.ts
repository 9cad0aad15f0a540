import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { errorResponses } from '../../domain/schemas/common.js'
import { HouseholdWhy, HouseholdWhyQuery } from '../../domain/identification/schemas.js'
import { HouseholdParams } from '../../domain/schemas/households.js'
import { guardHouseholds } from '../households/household-guard.js'
import { isAfPoor, normaliseWeights } from '../../domain/identification/alkire-foster.js'
import { indicatorsWithWeights } from '../../domain/identification/profile.js'
import { afVerdict, explainGap, explainIndicator, officialVerdict } from '../../domain/identification/explain.js'
import { HOUSEHOLD_ID, HOUSEHOLD_WHY } from './identification-queries.js'
import { defaultMeasure } from './measure.js'

const errors = errorResponses(400, 404)

/**
 * Why a household is (not) poor by each rule: its value, cut-off and weight in every AF indicator,
 * its score against k, and the official rule's gaps. Computed now from the registry as the caller
 * reads it (registry roles, the caller's area: row-level security), with the default measure.
 */
const identificationHouseholdRoutes: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  // Like every /api/households/:id route: the household looked up as the caller, its view audited, any other a 404 (audited).
  guardHouseholds(app)

  r.get(
    '/api/households/:id/identification',
    {
      config: { access: 'registry' },
      schema: {
        summary: 'Why a household is (not) poor, by the AF measure and by the official rule',
        tags: ['identification'],
        params: HouseholdParams,
        querystring: HouseholdWhyQuery,
        response: { 200: HouseholdWhy, ...errors },
      },
    },
    async (req, reply) => {
      const { id: ref } = req.params
      const { year } = req.query
      const found = await app.scopedDb(req).run(async (tx) => {
        const id = (await tx.query<{ id: string }>(HOUSEHOLD_ID, [ref])).rows[0]?.id
        if (id === undefined) return null
        const m = await defaultMeasure(tx)
        const row = (
          await tx.query<{ values: number[]; mask: number; income: number; line: number | null; poorOfficial: boolean; officialGaps: string[] }>(HOUSEHOLD_WHY, [id, year])
        ).rows[0]
        return row ? { m, row } : null
      })
      if (!found) return reply.code(404).send({ error: 'Not Found', message: `no household ${ref} with a registry row in ${year} in your area` })
      const { m, row } = found
      const weights = normaliseWeights(indicatorsWithWeights(m.defs, m.rawWeights))
      let score = 0
      const indicators = m.defs.map((d) => {
        const deprived = (row.mask & (1 << d.afBit)) !== 0
        const weight = weights[d.code] ?? 0
        if (deprived) score += weight
        const value = row.values[d.afBit] ?? null
        return {
          code: d.code,
          nameZh: d.nameZh,
          nameEn: d.nameEn,
          dimension: d.dimension,
          weight,
          value,
          cutoff: d.cutoff,
          deprived,
          text: explainIndicator({ code: d.code, value, deprived, income: row.income, line: row.line }),
        }
      })
      const poorAf = isAfPoor(score, m.k)
      return {
        ref,
        year,
        k: m.k,
        score,
        poorAf,
        poorOfficial: row.poorOfficial,
        income: row.income,
        line: row.line,
        indicators,
        officialGaps: row.officialGaps.map((code) => ({ code, text: explainGap(code) })),
        verdict: { af: afVerdict(score, m.k, poorAf), official: officialVerdict(row.officialGaps) },
      }
    },
  )
}

export default identificationHouseholdRoutes
