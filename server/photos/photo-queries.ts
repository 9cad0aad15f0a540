/** The SQL of the photos API, in one place. Values are always bind parameters. */

const COLUMNS = `p.ref::text AS ref, p.subject, p.area_code AS "areaCode", h.ref::text AS household, p.project_id AS project,
  p.media_type AS "mediaType", p.bytes, p.caption,
  CASE WHEN p.location IS NULL THEN NULL ELSE ARRAY[round(ST_X(p.location)::numeric, 6)::float8, round(ST_Y(p.location)::numeric, 6)::float8] END AS at,
  to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt"`
/** Row-level security (migration 0005) decides which photos the caller sees; this only filters. */
export const PHOTO_LIST = `SELECT ${COLUMNS} FROM photo p LEFT JOIN household h ON h.id = p.household_id
WHERE starts_with(p.area_code, $1) AND ($2::text IS NULL OR p.subject = $2)
ORDER BY p.created_at DESC, p.ref LIMIT $3`
export const PHOTO_BY_REF = `SELECT ${COLUMNS} FROM photo p LEFT JOIN household h ON h.id = p.household_id WHERE p.ref = $1::uuid`
export const PHOTO_INSERT = `INSERT INTO photo (ref, subject, area_code, household_id, project_id, media_type, bytes, sha256, caption, location, uploaded_by, uploaded_by_username)
VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($10::float8, $11::float8), 4326) END, $12, $13)`

/** $1 household ref: its id and village, when the caller may see it. */
export const HOUSEHOLD_OF_PHOTO = `SELECT id, village_code AS village FROM household WHERE ref = $1::uuid`
/** $1 project id: the area a project photo is filed under (its village, else its county). */
export const PROJECT_AREA = `SELECT COALESCE(village_code, county_code) AS area FROM project WHERE id = $1`
/** $1 code, $2 'village': whether the village exists for the caller. */
export const VILLAGE_EXISTS = `SELECT 1 FROM admin_area WHERE code = $1 AND level = $2`
