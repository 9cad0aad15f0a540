/** Administrative divisions and their registered-poor figures (GET /api/areas/…, /api/search). */
import { Type, type Static } from 'typebox'
import { AdminLevel, Bbox, LonLat, Nullable } from './common.js'

export const Area = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: AdminLevel,
  parentCode: Nullable(Type.String()),
  centroid: LonLat,
  bbox: Bbox,
})
export type Area = Static<typeof Area>

/** The registry of an area in a year; "poor" counts the statuses of POOR_STATUSES (domain/codes.ts). */
export const RegistryFigures = Type.Object({
  year: Type.Integer(),
  households: Type.Integer({ description: 'registered households in the year' }),
  people: Type.Integer(),
  poorHouseholds: Type.Integer({ description: 'households poor that year (status poor or returned)' }),
  poorPeople: Type.Integer(),
  liftedHouseholds: Type.Integer(),
  returnedHouseholds: Type.Integer(),
  incidence: Nullable(Type.Number(), { description: 'poor people / rural population (0-1); null without population' }),
})
export type RegistryFigures = Static<typeof RegistryFigures>

export const AreaStats = Type.Object({ code: Type.String(), ...RegistryFigures.properties })
export type AreaStats = Static<typeof AreaStats>

export const SearchHit = Type.Object({ code: Type.String(), name: Type.String(), level: AdminLevel, path: Type.String() })
export type SearchHit = Static<typeof SearchHit>

export const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 50, pattern: '^[^\\u0000-\\u001f]*$', description: 'name or code; no control characters' }),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
  },
  { additionalProperties: false },
)
