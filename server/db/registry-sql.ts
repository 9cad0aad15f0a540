/** SQL fragments of registry figures, built from the domain's definitions: constants of the code, never request text. */
import { POOR_STATUSES } from '../../domain/codes.js'

/** "The status in `column` counts as poor" (domain POOR_STATUSES). */
export const poorSql = (column = 'status'): string => `${column} IN (${POOR_STATUSES.map((s) => `'${s}'`).join(', ')})`

/** The figures of RegistryFigures (domain/schemas/areas.ts) but year and incidence, summed over household_agg rows aliased `g`. */
export const registryFiguresSql = (g: string): string => `COALESCE(sum(${g}.households), 0)::int AS households,
  COALESCE(sum(${g}.people), 0)::int AS people,
  COALESCE(sum(${g}.households) FILTER (WHERE ${poorSql(`${g}.status`)}), 0)::int AS "poorHouseholds",
  COALESCE(sum(${g}.people) FILTER (WHERE ${poorSql(`${g}.status`)}), 0)::int AS "poorPeople",
  COALESCE(sum(${g}.households) FILTER (WHERE ${g}.status = 'lifted'), 0)::int AS "liftedHouseholds",
  COALESCE(sum(${g}.households) FILTER (WHERE ${g}.status = 'returned'), 0)::int AS "returnedHouseholds"`
