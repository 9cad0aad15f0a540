/** The SQL of the areas API, in one place. Values are always bind parameters. */
import { ADMIN_LEVELS, CODE_LENGTHS } from '../../domain/admin-codes.js'
import { registryFiguresSql } from '../db/registry-sql.js'

const AREA_COLUMNS = `a.code, a.name, a.level, a.parent_code AS "parentCode",
  ARRAY[round(ST_X(c)::numeric, 6)::float8, round(ST_Y(c)::numeric, 6)::float8] AS centroid,
  ARRAY[round(ST_XMin(a.geom)::numeric, 6)::float8, round(ST_YMin(a.geom)::numeric, 6)::float8,
        round(ST_XMax(a.geom)::numeric, 6)::float8, round(ST_YMax(a.geom)::numeric, 6)::float8] AS bbox`

// A centroid can fall outside a concave outline; the point on surface never does.
const CENTRE = `CROSS JOIN LATERAL (SELECT CASE WHEN ST_Intersects(a.geom, ST_Centroid(a.geom)) THEN ST_Centroid(a.geom) ELSE ST_PointOnSurface(a.geom) END AS c) ctr`

export const AREA_BY_CODE = `SELECT ${AREA_COLUMNS} FROM admin_area a ${CENTRE} WHERE a.code = $1`

export const AREA_CHILDREN = `SELECT ${AREA_COLUMNS} FROM admin_area a ${CENTRE} WHERE a.parent_code = $1 ORDER BY a.code`

export const AREA_EXISTS = `SELECT rural_population FROM admin_area WHERE code = $1`

/** Registered households of an area in a year, from the per-area aggregates. */
export const AREA_STATS = `SELECT ${registryFiguresSql('g')}
FROM household_agg g WHERE g.area_code = $1 AND g.year = $2`

/**
 * Divisions of the caller's area whose name contains the text or whose code starts with it; exact names first, then
 * name prefixes, then higher levels. The path joins the names of the code's prefixes.
 */
export const SEARCH_AREAS = `WITH hits AS (
  SELECT code, name, level,
    CASE WHEN name = $1 OR code = $1 THEN 0 WHEN name LIKE $2 THEN 1 ELSE 2 END AS rank,
    array_position(ARRAY[${ADMIN_LEVELS.map((l) => `'${l}'`).join(', ')}], level) AS depth
  FROM admin_area
  WHERE (strpos(name, $1) > 0 OR code LIKE $2)
    -- Row-level security also shows the divisions above the caller's area; search stays inside it.
    AND starts_with(code, (SELECT povmap_scope()))
  ORDER BY rank, depth, code
  LIMIT $3
)
SELECT h.code, h.name, h.level,
  (SELECT string_agg(p.name, '/' ORDER BY length(p.code)) FROM admin_area p
    WHERE p.code IN (${ADMIN_LEVELS.map((l) => `left(h.code, ${CODE_LENGTHS[l]})`).join(', ')})) AS path
FROM hits h ORDER BY h.rank, h.depth, h.code`
