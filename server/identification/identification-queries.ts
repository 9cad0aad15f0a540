/**
 * The SQL of the identification API, in one place; values are always bind parameters. The measure of
 * any area, weights and k derives from identification_profile (households and people per area and
 * deprivation pattern, migration 0013): a request reads at most a few hundred rows per area.
 */

/** The AF indicators, by bit. */
export const AF_INDICATORS = `SELECT d.code, d.name_zh AS "nameZh", d.name_en AS "nameEn", d.unit, COALESCE(d.dimension, d.code) AS dimension,
  d.af_bit AS "afBit", d.direction, d.threshold_value AS cutoff,
  json_build_object('zh', COALESCE(d.threshold_note_zh, ''), 'en', COALESCE(d.threshold_note_en, '')) AS note
FROM indicator_def d WHERE d.level = 'household' AND d.af_bit IS NOT NULL ORDER BY d.af_bit`

export const DEFAULT_SCENARIO = `SELECT k, weights, updated_at AS "updatedAt", updated_by AS "updatedBy" FROM identification_scenario WHERE is_default`

/** $1 id: a scenario the caller may read (row-level security). */
export const SCENARIO_BY_ID = `SELECT id, k, weights FROM identification_scenario WHERE id = $1`

/** $1 area code, $2 year: the area's deprivation patterns. */
export const AREA_PROFILE = `SELECT mask, poor_official AS "poorOfficial", households, people
FROM identification_profile WHERE area_code = $1 AND year = $2 ORDER BY mask, poor_official`

/** $1 parent code, $2 year, $3 child code length: every child area (with or without households) and its patterns. */
export const CHILDREN_PROFILE = `SELECT a.code, a.name, p.mask, p.poor_official AS "poorOfficial", p.households, p.people
FROM admin_area a
LEFT JOIN identification_profile p ON p.area_code = a.code AND p.year = $2
WHERE a.parent_code = $1 AND length(a.code) = $3
ORDER BY a.code, p.mask, p.poor_official`

/** $1 ref: the household's internal id, as the caller sees it (row-level security). */
export const HOUSEHOLD_ID = `SELECT id::text AS id FROM household WHERE ref = $1`

/**
 * $1 household id, $2 year: its values, mask and official rule, computed now as the caller. The id is a
 * bind parameter, not a column of the query: the function's household filter is then an index scan.
 */
export const HOUSEHOLD_WHY = `SELECT v.v AS values, v.mask, v.income_per_capita AS income, v.line, v.poor_official AS "poorOfficial",
  v.official_gaps AS "officialGaps"
FROM identification_values($2, NULL, ARRAY[$1::bigint]) v`

export const SCENARIOS = `SELECT id, name, area_code AS "areaCode", shared, is_default AS "isDefault", owner_id = $1 AS mine, k, weights,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt"
FROM identification_scenario ORDER BY is_default DESC, created_at DESC, id DESC LIMIT 200`

/** $1 name, $2 owner, $3 area, $4 shared, $5 k, $6 weights. */
export const INSERT_SCENARIO = `INSERT INTO identification_scenario (name, owner_id, area_code, shared, k, weights, updated_by)
VALUES ($1, $2, $3, $4, $5, $6, NULL) RETURNING id`

export const DELETE_SCENARIO = `DELETE FROM identification_scenario WHERE id = $1 AND owner_id = $2 AND NOT is_default`

/** The default measure's job (migration 0027): $1 k, $2 weights; then each year re-scored ($1 year). */
export const SET_DEFAULT = `SELECT identification_default_set($1, $2)`
export const RESCORE_YEAR = `SELECT identification_rescore_year($1)`
export const IDENTIFIED_YEARS = `SELECT DISTINCT year FROM household_identification ORDER BY year`

/** For the province administrator's changes that re-identify or re-score every household in their transaction. */
export const LONG_ADMIN_STATEMENT = `SET LOCAL statement_timeout = '15min'`
