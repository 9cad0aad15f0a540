/**
 * The SQL of the diagnosis API (indicators, choropleth values, area diagnosis, projects, inspection
 * ranking), in one place. Values are always bind parameters; the few fragments
 * spliced in below are constants of this module, never request text.
 *
 * Indicator values are stored per village (indicator_value). A larger area's value is aggregated
 * from the villages whose code starts with the area's code, by the indicator's unit:
 *   - counts (unit households, persons, count): the sum over the villages;
 *   - yes/no (unit bool): the mean, i.e. the share of villages where it holds (0–1);
 *   - everything else (m, deg, km, index, ratio, %): the mean weighted by the villages' rural
 *     population (where people live), the plain mean where no village has a population.
 *     For poverty_incidence (poor per 100 rural residents) this equals poor people / rural population.
 */
import { ASSURANCE_GAPS } from '../../domain/codes.js'
import { CODE_LENGTHS } from '../../domain/admin-codes.js'
import { poorSql, registryFiguresSql } from '../db/registry-sql.js'

/** 'sum' | 'share' | 'weighted_mean' for an indicator_def row aliased d. */
export const AGGREGATION_KIND = `(CASE WHEN d.unit IN ('households', 'persons', 'count') THEN 'sum' WHEN d.unit = 'bool' THEN 'share' ELSE 'weighted_mean' END)`

/** The aggregate of village values `value` with weights `weight`, grouped by (…, d.unit). */
const aggregate = (value: string, weight: string) => `(CASE ${AGGREGATION_KIND}
    WHEN 'sum' THEN sum(${value})
    WHEN 'share' THEN avg(${value})
    ELSE COALESCE(sum(${value} * ${weight}) / NULLIF(sum(${weight}) FILTER (WHERE ${value} IS NOT NULL), 0), avg(${value})) END)`

/** Rural population of area a: its own figure, else the sum over its villages. */
const POPULATION = `COALESCE(a.rural_population,
    (SELECT sum(x.rural_population) FROM admin_area x WHERE x.level = 'village' AND x.code LIKE a.code || '%'))::float8`

const CENTRE = `CROSS JOIN LATERAL (SELECT CASE WHEN ST_Intersects(a.geom, ST_Centroid(a.geom)) THEN ST_Centroid(a.geom) ELSE ST_PointOnSurface(a.geom) END AS c) ctr`
const PLACE = `ARRAY[round(ST_X(ctr.c)::numeric, 6)::float8, round(ST_Y(ctr.c)::numeric, 6)::float8] AS centroid,
  ARRAY[round(ST_XMin(a.geom)::numeric, 6)::float8, round(ST_YMin(a.geom)::numeric, 6)::float8,
        round(ST_XMax(a.geom)::numeric, 6)::float8, round(ST_YMax(a.geom)::numeric, 6)::float8] AS bbox`

/** $1 code → code, name, level, parent code and name, rural population (own or summed). */
export const AREA_HEAD = `SELECT a.code, a.name, a.level, a.parent_code AS "parentCode", p.name AS "parentName", ${POPULATION} AS "ruralPopulation"
FROM admin_area a LEFT JOIN admin_area p ON p.code = a.parent_code WHERE a.code = $1`

/** $1 first year, $2 last year: every definition, how it aggregates and the years that hold values. */
export const INDICATOR_DEFS = `SELECT d.code, d.name_zh AS "nameZh", d.name_en AS "nameEn", d.unit, d.direction, d.category, d.description,
  ${AGGREGATION_KIND} AS aggregation,
  ARRAY(SELECT y FROM generate_series($1::int, $2::int) y
        WHERE EXISTS (SELECT 1 FROM indicator_value v WHERE v.indicator_code = d.code AND v.year = y) ORDER BY y) AS years,
  d.threshold_value AS "tValue", d.threshold_basis AS "tBasis", d.threshold_note_zh AS "tZh", d.threshold_note_en AS "tEn"
FROM indicator_def d WHERE d.level = 'village' ORDER BY d.category, d.code`

export const INDICATOR_DIRECTION = `SELECT direction, ${AGGREGATION_KIND} AS aggregation FROM indicator_def d WHERE d.code = $1`

/**
 * $1 area code, $2 year, $3 parent code (null for the province): every indicator's value for the
 * area and its parent's average. For sums the parent's average is its total over its children.
 */
export const AREA_INDICATORS = `WITH vv AS (
  SELECT s.kind, v.indicator_code, a.rural_population::float8 AS w, v.value
  FROM (VALUES ('area', $1::text), ('parent', $3::text)) s(kind, prefix)
  JOIN admin_area a ON a.level = 'village' AND a.code LIKE s.prefix || '%'
  JOIN indicator_value v ON v.area_code = a.code AND v.year = $2
),
agg AS (
  SELECT vv.kind, d.code, ${aggregate('vv.value', 'vv.w')} AS value, count(*)::int AS villages
  FROM vv JOIN indicator_def d ON d.code = vv.indicator_code
  GROUP BY vv.kind, d.code, d.unit
)
SELECT d.code, ar.value, COALESCE(ar.villages, 0) AS villages,
  CASE WHEN ${AGGREGATION_KIND} = 'sum' THEN pa.value / NULLIF((SELECT count(*) FROM admin_area WHERE parent_code = $3), 0)
       ELSE pa.value END AS "parentAverage"
FROM indicator_def d
LEFT JOIN agg ar ON ar.kind = 'area' AND ar.code = d.code
LEFT JOIN agg pa ON pa.kind = 'parent' AND pa.code = d.code
ORDER BY d.category, d.code`

/** $1 area code, $2 year, $3 indicator codes: those indicators' values for the area. */
export const AREA_INDICATOR_VALUES = `SELECT d.code, ${aggregate('v.value', 'a.rural_population::float8')} AS value
FROM admin_area a
JOIN indicator_value v ON v.area_code = a.code AND v.year = $2 AND v.indicator_code = ANY ($3::text[])
JOIN indicator_def d ON d.code = v.indicator_code
WHERE a.level = 'village' AND a.code LIKE $1 || '%'
GROUP BY d.code, d.unit`

/**
 * $1 parent code, $2 indicator, $3 year, $4 length of the children's codes: each child's aggregated
 * value, rural population, registered-poor figures of the year, centroid and bbox.
 */
export const CHILDREN_INDICATOR = `WITH vv AS (
  SELECT left(a.code, $4::int) AS child, a.rural_population::float8 AS w, v.value
  FROM admin_area a
  JOIN indicator_value v ON v.area_code = a.code AND v.indicator_code = $2 AND v.year = $3
  WHERE a.level = 'village' AND a.code LIKE $1 || '%'
),
vals AS (
  SELECT vv.child, ${aggregate('vv.value', 'vv.w')} AS value, count(*)::int AS villages
  FROM vv CROSS JOIN indicator_def d WHERE d.code = $2
  GROUP BY vv.child, d.unit
)
SELECT a.code, a.name, a.level, vals.value, COALESCE(vals.villages, 0) AS villages,
  ${POPULATION} AS "ruralPopulation",
  COALESCE(st."poorHouseholds", 0) AS "poorHouseholds", COALESCE(st."poorPeople", 0) AS "poorPeople",
  ${PLACE}
FROM admin_area a
${CENTRE}
LEFT JOIN vals ON vals.child = a.code
LEFT JOIN LATERAL (
  SELECT (sum(households) FILTER (WHERE ${poorSql()}))::int AS "poorHouseholds",
         (sum(people) FILTER (WHERE ${poorSql()}))::int AS "poorPeople"
  FROM household_agg WHERE area_code = a.code AND year = $3
) st ON true
WHERE a.parent_code = $1
ORDER BY a.code`

/** $1 area code, $2 first year, $3 last year: the registry by year, from the per-area sums. */
export const AREA_SERIES = `SELECT y AS year,
  ${registryFiguresSql('g')}
FROM generate_series($2::int, $3::int) y
LEFT JOIN household_agg g ON g.area_code = $1 AND g.year = y
GROUP BY y ORDER BY y`

/** Bit of each gap in household_agg.gaps (see assurance_gaps() in migration 0003). */
export const GAP_BITS: ReadonlyArray<readonly [(typeof ASSURANCE_GAPS)[number], number]> = ASSURANCE_GAPS.map((g, i) => [g, 1 << i] as const)

/** $1 area code, $2 year: households (all registered, and poor ones) with each gap, and with any. */
export const AREA_GAPS = `SELECT
  COALESCE(sum(households), 0)::int AS households,
  COALESCE(sum(households) FILTER (WHERE ${poorSql()}), 0)::int AS "poorHouseholds",
  COALESCE(sum(households) FILTER (WHERE gaps <> 0), 0)::int AS "anyGap",
  COALESCE(sum(households) FILTER (WHERE gaps <> 0 AND ${poorSql()}), 0)::int AS "anyGapPoor",
  ${GAP_BITS.map(
    ([g, bit]) => `COALESCE(sum(households) FILTER (WHERE gaps & ${bit} <> 0), 0)::int AS "${g}",
  COALESCE(sum(households) FILTER (WHERE gaps & ${bit} <> 0 AND ${poorSql()}), 0)::int AS "${g}_poor"`,
  ).join(',\n  ')}
FROM household_agg WHERE area_code = $1 AND year = $2`

/** $1 area code, $2 year, $3 the causes in display order: registered households and people by main cause. */
export const AREA_CAUSES = `SELECT u.c AS cause,
  COALESCE(sum(g.households), 0)::int AS households,
  COALESCE(sum(g.people), 0)::int AS people,
  COALESCE(sum(g.households) FILTER (WHERE ${poorSql('g.status')}), 0)::int AS "poorHouseholds"
FROM unnest($3::text[]) WITH ORDINALITY u(c, i)
LEFT JOIN household_agg g ON g.area_code = $1 AND g.year = $2 AND g.main_cause = u.c
GROUP BY u.c, u.i ORDER BY u.i`

/**
 * Projects of an area ($1): by county code down to county level, by village code below it (a
 * project without a village belongs to its county only).
 */
const PROJECT_IN_AREA = `(CASE WHEN length($1::text) <= ${CODE_LENGTHS.county} THEN p.county_code LIKE $1::text || '%' ELSE COALESCE(p.village_code LIKE $1::text || '%', false) END)`

/** $1 area code: counts and money by stage and type. */
export const PROJECT_SUMMARY = `SELECT p.stage, p.type, count(*)::int AS count, sum(p.budget_yuan)::float8 AS "budgetYuan",
  sum(p.spent_yuan)::float8 AS "spentYuan", sum(p.beneficiary_households)::int AS "beneficiaryHouseholds"
FROM project p WHERE ${PROJECT_IN_AREA}
GROUP BY p.stage, p.type`

/** $1 area code, $2 limit: the projects, latest first. */
export const PROJECT_LIST = `SELECT p.id, p.name, p.type, p.stage, p.year, p.budget_yuan::float8 AS "budgetYuan", p.spent_yuan::float8 AS "spentYuan",
  p.county_code AS "countyCode", p.village_code AS "villageCode", p.beneficiary_households AS "beneficiaryHouseholds",
  ARRAY[round(ST_X(ST_PointOnSurface(p.geom))::numeric, 6)::float8, round(ST_Y(ST_PointOnSurface(p.geom))::numeric, 6)::float8] AS at
FROM project p WHERE ${PROJECT_IN_AREA}
ORDER BY p.year DESC, p.id LIMIT $2`
