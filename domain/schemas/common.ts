/** Building blocks of the API's schemas: the error body, codes, refs, years and small shapes. */
import { Type, type TLiteral, type TSchema, type TUnion } from 'typebox'
import { ADMIN_CODE_PATTERN, ADMIN_LEVELS } from '../admin-codes.js'
import { FIRST_YEAR, LAST_YEAR } from '../codes.js'

/** The one error shape every route answers with; listed in each route's response schemas. */
export const ErrorBody = Type.Object(
  {
    error: Type.String(),
    message: Type.String(),
    code: Type.Optional(Type.String({ description: 'stable machine-readable reason, where the status alone does not say it (e.g. invalid_value, db_unavailable)' })),
  },
  { $id: 'ErrorBody', description: 'error: the HTTP status name; message: what was wrong, safe to show (English: clients show their own text by status and code)' },
)

/** Response schemas that answer the error body, for the statuses given. */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, { $ref: 'ErrorBody#' }> {
  return Object.fromEntries(statuses.map((s) => [s, { $ref: 'ErrorBody#' as const }])) as Record<S, { $ref: 'ErrorBody#' }>
}

type Literals<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> }

/** One of a list of strings (an enum as `anyOf` constants). */
export function OneOf<const T extends readonly string[]>(values: T, options?: { description?: string; default?: T[number] }): TUnion<Literals<T>> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as unknown as TUnion<Literals<T>>
}

export const Nullable = <T extends TSchema>(t: T, options?: { description?: string }) => Type.Union([t, Type.Null()], options)

export const AreaCode = Type.String({ pattern: ADMIN_CODE_PATTERN, description: 'administrative code: 2 province, 4 prefecture, 6 county, 9 township, 12 village digits' })
export const AdminLevel = OneOf(ADMIN_LEVELS)

export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
export const HouseholdRef = Type.String({
  pattern: UUID_PATTERN,
  description: 'opaque household id (household.ref, a UUID; the household tiles carry it as `ref`); the internal numeric id is never used in a URL',
})
/** A numeric id in a path (accounts, account requests). */
export const IdParam = Type.String({ pattern: '^[0-9]{1,9}$' })
export const IdParams = Type.Object({ id: IdParam })

export const Year = Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR, default: LAST_YEAR })
export const YearQuery = Type.Object({ year: Year }, { additionalProperties: false })
export const CodeParams = Type.Object({ code: AreaCode })

// Arrays of a fixed length on the wire (OpenAPI 3.0 has no tuples), typed as tuples for the client.
export const lonLat = (description = '[lon, lat] WGS84') => Type.Unsafe<[number, number]>(Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description }))
export const LonLat = lonLat()
export const Bbox = Type.Unsafe<[number, number, number, number]>(Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: '[west, south, east, north] WGS84' }))
/** An instant as the API writes it. */
export const UtcTime = (description = 'ISO 8601, UTC') => Type.String({ description })
