/** SQL of the siting capability (values always bound; identifiers fixed here). */

/** Data versions the network and the stored accessibility depend on (bumped by triggers, migration 0003). */
export const DATA_VERSIONS = `SELECT layer, version FROM tile_layer_version WHERE layer IN ('roads', 'water', 'schools', 'clinics', 'admin', 'households') ORDER BY layer`

// Lines as WKB: binary doubles cost neither the server's text formatting nor a JSON parse here (a
// province's roads are millions of vertices). Rivers' parts come apart (a part's end is not the next's start).
export const ROADS = `SELECT id, class, source_node AS source, target_node AS target, length_m AS "lengthM", ST_AsBinary(geom) AS geom FROM road ORDER BY id`
export const RIVERS = `SELECT ST_AsBinary((ST_Dump(geom)).geom) AS geom FROM water WHERE kind = 'river' AND GeometryType(geom) IN ('LINESTRING', 'MULTILINESTRING') ORDER BY id`

/** Facilities of every kind, as [lon, lat]. */
export const FACILITIES = `
  SELECT 'school' AS kind, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM school
  UNION ALL SELECT 'clinic', ST_X(geom), ST_Y(geom) FROM clinic
  UNION ALL SELECT 'water', ST_X(geom), ST_Y(geom) FROM water WHERE kind = 'supply_works' AND GeometryType(geom) = 'POINT'
  UNION ALL SELECT 'township', ST_X(seat), ST_Y(seat) FROM admin_area WHERE level = 'township' AND seat IS NOT NULL
  UNION ALL SELECT 'county', ST_X(seat), ST_Y(seat) FROM admin_area WHERE level = 'county' AND seat IS NOT NULL`

/** Every household's position (owner connection: the accessibility job, never a request). */
export const HOUSEHOLD_POINTS = `SELECT id, village_code AS "villageCode", ST_X(geom) AS lon, ST_Y(geom) AS lat FROM household ORDER BY id`
export const VILLAGE_SEATS_ALL = `SELECT code, ST_X(seat) AS lon, ST_Y(seat) AS lat FROM admin_area WHERE level = 'village' AND seat IS NOT NULL ORDER BY code`
export const REGISTRY_YEAR = `SELECT max(year)::int AS year FROM household_year`

export const CLEAR_ACCESS = `TRUNCATE household_access, village_access`
/** COPY columns of household_access (the full computation writes every household by COPY after CLEAR_ACCESS). */
export const HOUSEHOLD_ACCESS_COLUMNS = ['household_id', 'village_code', 'node', 'walk_s', 'school_min', 'clinic_min', 'township_min', 'county_min', 'water_min', 'lon', 'lat'] as const
export const INSERT_HOUSEHOLD_ACCESS = `
  INSERT INTO household_access (household_id, village_code, node, walk_s, school_min, clinic_min, township_min, county_min, water_min, lon, lat)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::real[], $5::real[], $6::real[], $7::real[], $8::real[], $9::real[], $10::float8[], $11::float8[])
  ON CONFLICT (household_id) DO UPDATE SET village_code = EXCLUDED.village_code, node = EXCLUDED.node, walk_s = EXCLUDED.walk_s,
    school_min = EXCLUDED.school_min, clinic_min = EXCLUDED.clinic_min, township_min = EXCLUDED.township_min, county_min = EXCLUDED.county_min,
    water_min = EXCLUDED.water_min, lon = EXCLUDED.lon, lat = EXCLUDED.lat`
/** Households added or moved since their times were computed (a registry edit), and those removed. */
export const CHANGED_HOUSEHOLDS = `
  SELECT h.id, h.village_code AS "villageCode", ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat
  FROM household h LEFT JOIN household_access a ON a.household_id = h.id
  WHERE a.household_id IS NULL OR a.lon IS DISTINCT FROM ST_X(h.geom) OR a.lat IS DISTINCT FROM ST_Y(h.geom) OR a.village_code <> h.village_code
  ORDER BY h.id`
export const DROP_REMOVED = `DELETE FROM household_access a WHERE NOT EXISTS (SELECT 1 FROM household h WHERE h.id = a.household_id)`
export const INSERT_VILLAGE_ACCESS = `
  INSERT INTO village_access (village_code, node, walk_s, school_min, clinic_min, township_min, county_min, water_min)
  SELECT * FROM unnest($1::text[], $2::int[], $3::real[], $4::real[], $5::real[], $6::real[], $7::real[], $8::real[])`
export const SAVE_STATE = `
  INSERT INTO access_state (id, versions, households, elapsed_ms) VALUES (1, $1, $2, $3)
  ON CONFLICT (id) DO UPDATE SET versions = EXCLUDED.versions, households = EXCLUDED.households, elapsed_ms = EXCLUDED.elapsed_ms, computed_at = now()`
export const READ_STATE = `SELECT versions, households, elapsed_ms AS "elapsedMs", computed_at AS "computedAt" FROM access_state WHERE id = 1`

/**
 * Indicator values per village (WRITE_INDICATORS in order, $1 the registry year): the mean over its
 * households (the seat's time where it has none), to 0.1 minute, computed into a scratch table first;
 * access values of other years and of villages that now have none go; rows whose value is unchanged
 * are not written, so a recomputation after a change of a few roads rewrites only the villages it changed.
 * (The scratch table's key makes the pruning an index probe whatever the planner's statistics say.)
 */
export const WRITE_INDICATORS = [
  `CREATE TEMP TABLE access_vals (village_code text, code text, value float8 NOT NULL, PRIMARY KEY (village_code, code)) ON COMMIT DROP`,
  `INSERT INTO access_vals (village_code, code, value)
   SELECT v.village_code, x.code, round(x.value::numeric, 1)::float8
   FROM (
     SELECT va.village_code,
            COALESCE(avg(ha.school_min), va.school_min) AS school, COALESCE(avg(ha.clinic_min), va.clinic_min) AS clinic,
            COALESCE(avg(ha.township_min), va.township_min) AS township, COALESCE(avg(ha.county_min), va.county_min) AS county,
            COALESCE(avg(ha.water_min), va.water_min) AS water
     FROM village_access va LEFT JOIN household_access ha ON ha.village_code = va.village_code
     GROUP BY va.village_code, va.school_min, va.clinic_min, va.township_min, va.county_min, va.water_min
   ) v
   CROSS JOIN LATERAL (VALUES ('access_school_min', v.school), ('access_clinic_min', v.clinic), ('access_township_min', v.township),
                              ('access_county_min', v.county), ('access_water_min', v.water)) AS x(code, value)
   WHERE x.value IS NOT NULL`,
  `DELETE FROM indicator_value iv
   WHERE iv.indicator_code IN ('access_school_min', 'access_clinic_min', 'access_township_min', 'access_county_min', 'access_water_min')
     AND (iv.year <> $1 OR NOT EXISTS (SELECT 1 FROM access_vals a WHERE a.village_code = iv.area_code AND a.code = iv.indicator_code))`,
  `INSERT INTO indicator_value (area_code, indicator_code, year, value)
   SELECT village_code, code, $1, value FROM access_vals
   ON CONFLICT (area_code, indicator_code, year) DO UPDATE SET value = EXCLUDED.value WHERE indicator_value.value IS DISTINCT FROM EXCLUDED.value`,
] as const
export const DELETE_INDICATORS = `DELETE FROM indicator_value WHERE indicator_code IN ('access_school_min', 'access_clinic_min', 'access_township_min', 'access_county_min', 'access_water_min')`
export const INDICATOR_DEFS = `
  INSERT INTO indicator_def (code, name_zh, name_en, unit, direction, category, description) VALUES
    ('access_school_min', '到最近学校通行时间', 'Travel time to the nearest school', 'min', 'lower_better', 'education', 'walk to the road, drive, walk to the door; mean over the village''s households'),
    ('access_clinic_min', '到最近医疗机构通行时间', 'Travel time to the nearest clinic', 'min', 'lower_better', 'health', 'walk to the road, drive, walk to the door; mean over the village''s households'),
    ('access_township_min', '到乡镇驻地通行时间', 'Travel time to the township seat', 'min', 'lower_better', 'transport', 'walk to the road, drive, walk to the door; mean over the village''s households'),
    ('access_county_min', '到县城通行时间', 'Travel time to the county seat', 'min', 'lower_better', 'transport', 'walk to the road, drive, walk to the door; mean over the village''s households'),
    ('access_water_min', '到最近供水工程通行时间', 'Travel time to the nearest water supply works', 'min', 'lower_better', 'water', 'walk to the road, drive, walk to the door; mean over the village''s households')
  ON CONFLICT (code) DO NOTHING`

// ---- requests (as the caller: row-level security applies) ------------------------------------------------------
export const AREA = `SELECT code, level, name, ST_XMin(geom) AS west, ST_YMin(geom) AS south, ST_XMax(geom) AS east, ST_YMax(geom) AS north FROM admin_area WHERE code = $1 AND geom IS NOT NULL AND starts_with(code, (SELECT povmap_scope()))`
export const DEMAND = `SELECT village_code AS "villageCode", node, walk_s AS "walkS", gaps, af_mask AS "afMask", poor, households, people FROM povmap_siting_demand($1, $2)`
export const VILLAGE_SEATS = `SELECT code, name, ST_X(seat) AS lon, ST_Y(seat) AS lat FROM admin_area WHERE level = 'village' AND starts_with(code, $1) AND seat IS NOT NULL ORDER BY code`
/** Which of the points (flat lon/lat arrays) lie in the area's outline. */
export const POINTS_IN_AREA = `
  SELECT p.i::int AS i FROM unnest($2::float8[], $3::float8[]) WITH ORDINALITY AS p(lon, lat, i), admin_area a
  WHERE a.code = $1 AND ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)) ORDER BY 1`
/** Existing facilities of a kind near the area (they serve across boundaries too). */
export const EXISTING = {
  water: `SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM water WHERE kind = 'supply_works' AND GeometryType(geom) = 'POINT' AND geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)`,
  clinic: `SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM clinic WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)`,
  school: `SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM school WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)`,
} as const
export const NAMES = `SELECT code, name, level FROM admin_area WHERE code = ANY ($1::text[])`
/** The latest year in which the area has poor households (with the gap, when given): planning targets what remains. */
export const PLANNING_YEAR = `SELECT max(year)::int AS year FROM household_agg WHERE area_code = $1 AND status IN ('poor', 'returned') AND ($2::int = 0 OR gaps & $2 <> 0)`
export const POOR_WITHIN = `SELECT povmap_poor_within(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), $2) AS n`
export const VILLAGE_TOWNSHIP_SEATS = `SELECT a.code, ST_X(t.seat) AS lon, ST_Y(t.seat) AS lat FROM admin_area a JOIN admin_area t ON t.code = a.parent_code WHERE a.level = 'village' AND starts_with(a.code, $1) AND t.seat IS NOT NULL`

export const SAVE_SCENARIO = `INSERT INTO siting_scenario (created_by, area_code, name, facility, request, result) VALUES (povmap_user_id(), $1, $2, $3, $4, $5) RETURNING id, created_at AS "createdAt"`
export const LIST_SCENARIOS = `SELECT id, area_code AS "areaCode", name, facility, request, result, created_at AS "createdAt" FROM siting_scenario WHERE ($1::text IS NULL OR starts_with(area_code, $1)) ORDER BY id DESC LIMIT 50`
export const GET_SCENARIO = `SELECT id, area_code AS "areaCode", name, facility, request, result, created_at AS "createdAt" FROM siting_scenario WHERE id = $1`
export const DELETE_SCENARIO = `DELETE FROM siting_scenario WHERE id = $1 RETURNING id`

/** The default identification (weights by AF indicator code, k) and the AF indicators' bits. */
export const AF_DEFAULT = `SELECT k, weights FROM identification_scenario WHERE is_default`
export const AF_INDICATORS = `SELECT code, af_bit AS bit FROM indicator_def WHERE level = 'household' AND af_bit IS NOT NULL ORDER BY af_bit`

/** A scenario's sites as planned projects (migration 0025, refuses roles and areas itself), and what they became. */
export const SCENARIO_TO_PROJECTS = `SELECT project_id AS id, site, created FROM povmap_scenario_to_projects($1, $2)`
export const SCENARIO_PROJECTS = `
  SELECT p.id, p.scenario_site AS site, p.name, p.type, p.stage, p.year, p.budget_yuan AS "budgetYuan", p.county_code AS "countyCode",
         p.village_code AS "villageCode", ST_AsGeoJSON(p.geom, 6) AS geometry
  FROM project p WHERE p.id = ANY ($1::int[]) ORDER BY p.scenario_site`
