/** The API schemas of reports, snapshots and exports (issue 19). */
import { Type, type Static } from 'typebox'
import { AreaCode, OneOf, Year } from '../schemas/common.js'
import { ADMIN_LEVELS } from '../admin-codes.js'
import type { ReportRow } from './rollup.js'

export const REPORT_FORMATS = ['json', 'xlsx', 'pdf'] as const
export const TABLE_ID_PATTERN = '^[a-z][a-z-]{0,39}$'

export const ReportListItem = Type.Object({ id: Type.String(), title: Type.String(), titleEn: Type.String() })

export const ReportColumnOut = Type.Object({ key: Type.String(), title: Type.String(), titleEn: Type.String(), unit: Type.String() })

export const ReportRowOut = Type.Object(
  { code: Type.String(), name: Type.String(), own: Type.Optional(Type.Boolean({ description: "the area's own row (本级): facts under the area but under none of its children" })) },
  { additionalProperties: Type.Number(), description: 'one child area; every column key holds a number' },
)

export const ReportAreaOut = Type.Object({ code: Type.String(), name: Type.String(), level: OneOf(ADMIN_LEVELS) })

export const PERIOD_KINDS = ['month', 'quarter', 'year'] as const
export const PERIOD_PATTERN = '^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$'

export const SnapshotBody = Type.Object(
  {
    table: Type.String({ pattern: TABLE_ID_PATTERN }),
    area: AreaCode,
    year: Year,
    periodKind: OneOf(PERIOD_KINDS),
    period: Type.String({ pattern: PERIOD_PATTERN, description: '2020 (year), 2020-Q3 (quarter) or 2020-09 (month), of the report year' }),
  },
  { additionalProperties: false },
)

export const SnapshotOut = Type.Object({
  id: Type.Integer(),
  table: Type.String(),
  area: Type.String(),
  year: Type.Integer(),
  periodKind: OneOf(PERIOD_KINDS),
  period: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String(),
})
export type SnapshotOut = Static<typeof SnapshotOut>

export const ReportChange = Type.Object({ code: Type.String(), name: Type.String(), column: Type.String(), frozen: Type.Number(), current: Type.Number() })

export const Report = Type.Object({
  id: Type.String(),
  title: Type.String(),
  titleEn: Type.String(),
  area: ReportAreaOut,
  year: Type.Integer(),
  columns: Type.Array(ReportColumnOut),
  rows: Type.Array(ReportRowOut),
  total: Type.Record(Type.String(), Type.Number(), { description: 'every column: the sum of the rows' }),
  note: Type.Optional(Type.String()),
  snapshot: Type.Optional(SnapshotOut),
  changes: Type.Optional(Type.Array(ReportChange, { description: 'a frozen report: the cells whose live figure differs from the frozen one' })),
})
/** Rows carry one number per column key beside code and name. */
export type Report = Omit<Static<typeof Report>, 'rows'> & { rows: ReportRow[] }

export const ReportParams = Type.Object({ table: Type.String({ pattern: TABLE_ID_PATTERN, description: 'a table id of GET /api/reports, or `all` (xlsx and pdf only)' }) })
export const ReportQuery = Type.Object(
  { area: AreaCode, year: Year, format: OneOf(REPORT_FORMATS, { default: 'json' }), snapshot: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, description: 'a frozen report: its figures, and what changed since' })) },
  { additionalProperties: false },
)

export const SnapshotListQuery = Type.Object({ area: AreaCode, table: Type.Optional(Type.String({ pattern: TABLE_ID_PATTERN })) }, { additionalProperties: false })
