/** What the diagnosis routes look up before their figures: the area's head row and an indicator's definition. */
import type { FastifyRequest } from 'fastify'
import type { AdminLevel } from '../../domain/admin-codes.js'
import { areaRelation } from '../../domain/admin-codes.js'
import type { Direction } from '../../domain/schemas/diagnosis.js'
import type { Queryable } from '../db/types.js'
import { AREA_HEAD, INDICATOR_DIRECTION } from './diagnosis-queries.js'

export interface AreaHead {
  code: string
  name: string
  level: AdminLevel
  parentCode: string | null
  parentName: string | null
  ruralPopulation: number | null
}

export const areaHead = async (tx: Queryable, code: string): Promise<AreaHead | undefined> => (await tx.query<AreaHead>(AREA_HEAD, [code])).rows[0]

export const indicatorOf = async (tx: Queryable, code: string) =>
  (await tx.query<{ direction: Direction; aggregation: string }>(INDICATOR_DIRECTION, [code])).rows[0]

export const noIndicator = (code: string) => ({ error: 'Not Found', message: `no indicator ${code}` })

/**
 * The parent whose average may be shown: only one inside the caller's area. Above it the caller
 * sees names, never figures, and under RLS a figure of it would count the caller's part only.
 */
export const visibleParent = (req: FastifyRequest, parentCode: string | null) =>
  parentCode !== null && req.caller && areaRelation(req.caller.scope, parentCode) === 'inside' ? parentCode : null
