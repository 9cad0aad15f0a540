/** The SQL of the reports capability, in one place. Values are always bind parameters. */

/** $1 area code: the area (row-level security: the caller's area, or one above it by name only). */
export const REPORT_AREA = `SELECT code, name, level, rural_population AS "ruralPopulation" FROM admin_area WHERE code = $1`

/** $1 area code: its children, in code order. */
export const REPORT_CHILDREN = `SELECT code, name, level, rural_population AS "ruralPopulation" FROM admin_area WHERE parent_code = $1 ORDER BY code`

/** $1 area, $2 year: registry facts per village and key (migration 0015; inside the session's area). */
export const HOUSEHOLD_FACTS = `SELECT code, key, households::int AS households, people::int AS people FROM povmap_report_household_facts($1, $2)`

/**
 * $1 area, $2 year: project facts per village (county-wide projects: per county) and key, projects up to
 * the year; money in whole yuan, rounded per project so that every grouping sums exactly.
 */
export const PROJECT_FACTS = `SELECT COALESCE(p.village_code, p.county_code) AS code, k.key, count(*)::int AS projects,
  sum(round(p.budget_yuan))::float8 AS budget, sum(round(p.spent_yuan))::float8 AS spent
FROM project p
CROSS JOIN LATERAL unnest(ARRAY['all', 'type:' || p.type, 'stage:' || p.stage]) AS k(key)
WHERE starts_with(COALESCE(p.village_code, p.county_code), $1) AND p.year <= $2
GROUP BY 1, 2`

export const SNAPSHOT_COLUMNS = `id, table_id AS "table", area_code AS area, year, period_kind AS "periodKind", period,
  created_by_username AS "createdBy", to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt"`

/** $1 table, $2 area, $3 year, $4 period kind, $5 period, $6 report JSON: freezes a report (row-level security: the caller's area). */
export const SNAPSHOT_INSERT = `INSERT INTO report_snapshot (table_id, area_code, year, period_kind, period, report, created_by, created_by_username)
SELECT $1, $2, $3, $4, $5, $6::jsonb, c.user_id, c.username FROM povmap_session_caller() c
ON CONFLICT (table_id, area_code, year, period) DO NOTHING
RETURNING ${SNAPSHOT_COLUMNS}`

/** $1 area, $2 table or NULL: the snapshots of an area and below, newest first. */
export const SNAPSHOT_LIST = `SELECT ${SNAPSHOT_COLUMNS} FROM report_snapshot
WHERE starts_with(area_code, $1) AND ($2::text IS NULL OR table_id = $2) ORDER BY id DESC LIMIT 200`

/** $1 id: one snapshot with its frozen report. */
export const SNAPSHOT_BY_ID = `SELECT ${SNAPSHOT_COLUMNS}, report FROM report_snapshot WHERE id = $1`

/** $1 area: the outlines of its children (of a village: itself), simplified for a printed map, WGS84 GeoJSON. */
export const PRINT_SHAPES = `WITH parts AS (
  SELECT code, name, rural_population, geom FROM admin_area WHERE parent_code = $1
  UNION ALL SELECT code, name, rural_population, geom FROM admin_area WHERE code = $1 AND level = 'village'
)
SELECT code, name, rural_population AS "ruralPopulation",
  ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, (SELECT greatest(ST_XMax(ST_Extent(geom)) - ST_XMin(ST_Extent(geom)), 1e-6) / 400 FROM parts)), 5)::json AS geometry
FROM parts ORDER BY code`

/** $1 area, $2 year: assistance measures per village and key (migration 0019; inside the session's area). */
export const MEASURE_FACTS = `SELECT code, key, measures::int AS measures, households::int AS households FROM povmap_report_measure_facts($1, $2)`

/** $1 area, $2 year: exits and returns applied by month per village (migration 0019; inside the session's area). */
export const CHANGE_FACTS = `SELECT code, key, households::int AS households FROM povmap_report_change_facts($1, $2)`
