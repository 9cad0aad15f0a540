-- Tile support: Web Mercator copies of every geometry and per-zoom-band generalisations, kept as
-- STORED generated columns so that they can never drift from the WGS84 source of truth, each with a
-- GiST index so tile queries filter on the tile envelope without transforming rows.
-- Tolerances: one MVT unit (extent 4096) at the band's highest zoom: z6 ≈ 150 m, z9 ≈ 19 m, z12 ≈ 2.4 m.

ALTER TABLE admin_area
  ADD COLUMN geom_3857 geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Multi(ST_Transform(geom, 3857))) STORED,
  ADD COLUMN geom_z6 geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Multi(ST_SimplifyPreserveTopology(ST_Transform(geom, 3857), 150))) STORED,
  ADD COLUMN geom_z9 geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Multi(ST_SimplifyPreserveTopology(ST_Transform(geom, 3857), 19))) STORED,
  ADD COLUMN geom_z12 geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Multi(ST_SimplifyPreserveTopology(ST_Transform(geom, 3857), 2.4))) STORED,
  ADD COLUMN label_3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(COALESCE(seat, ST_PointOnSurface(geom)), 3857)) STORED;
CREATE INDEX admin_area_geom_3857_idx ON admin_area USING gist (geom_3857);
CREATE INDEX admin_area_label_3857_idx ON admin_area USING gist (label_3857);
COMMENT ON COLUMN admin_area.geom_z6 IS 'generalised for tiles z0-6 (150 m); geom_z9: z7-9; geom_z12: z10-12; geom_3857 beyond';

ALTER TABLE road
  ADD COLUMN geom_3857 geometry(LineString, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
  ADD COLUMN geom_z9 geometry(LineString, 3857) GENERATED ALWAYS AS (ST_SimplifyPreserveTopology(ST_Transform(geom, 3857), 19)) STORED;
CREATE INDEX road_geom_3857_idx ON road USING gist (geom_3857);

ALTER TABLE water
  ADD COLUMN geom_3857 geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
  ADD COLUMN geom_z9 geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_SimplifyPreserveTopology(ST_Transform(geom, 3857), 19)) STORED;
CREATE INDEX water_geom_3857_idx ON water USING gist (geom_3857);

ALTER TABLE school ADD COLUMN geom_3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED;
CREATE INDEX school_geom_3857_idx ON school USING gist (geom_3857);
ALTER TABLE clinic ADD COLUMN geom_3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED;
CREATE INDEX clinic_geom_3857_idx ON clinic USING gist (geom_3857);
ALTER TABLE project ADD COLUMN geom_3857 geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED;
CREATE INDEX project_geom_3857_idx ON project USING gist (geom_3857);
ALTER TABLE household ADD COLUMN geom_3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED;
CREATE INDEX household_geom_3857_idx ON household USING gist (geom_3857);

-- 两不愁三保障 + water gaps of a household-year as a bitmask, so filters and aggregates share one definition:
-- 1 food_clothing, 2 education, 4 medical, 8 housing, 16 water.
CREATE FUNCTION assurance_gaps(food_clothing_ok boolean, education_ok boolean, medical_ok boolean, housing_ok boolean, water_ok boolean)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE WHEN food_clothing_ok THEN 0 ELSE 1 END) | (CASE WHEN education_ok THEN 0 ELSE 2 END)
       | (CASE WHEN medical_ok THEN 0 ELSE 4 END) | (CASE WHEN housing_ok THEN 0 ELSE 8 END) | (CASE WHEN water_ok THEN 0 ELSE 16 END)
$$;

-- Household counts by area (every level, village to province), year, status, main cause and gaps:
-- low-zoom household tiles and area statistics read these sums instead of scanning the registry.
-- Derived from household + household_year by refresh_household_agg(); never edited directly.
CREATE TABLE household_agg (
  area_code text NOT NULL,
  level text NOT NULL,
  year integer NOT NULL,
  status text NOT NULL,
  main_cause text NOT NULL,
  gaps integer NOT NULL,
  households integer NOT NULL,
  people integer NOT NULL
);
-- Lookups are always by area and year; a wider unique key would only slow the bulk rebuild.
CREATE INDEX household_agg_area_year_idx ON household_agg (area_code, year);
COMMENT ON TABLE household_agg IS 'derived: registered households and people per area/year/status/main cause/gap mask';

CREATE FUNCTION refresh_household_agg(villages text[] DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF villages IS NULL THEN
    TRUNCATE household_agg;
  ELSE
    DELETE FROM household_agg
    WHERE area_code IN (SELECT left(v, n) FROM unnest(villages) v, (VALUES (12), (9), (6), (4), (2)) l(n));
  END IF;
  INSERT INTO household_agg (area_code, level, year, status, main_cause, gaps, households, people)
  SELECT h.village_code, 'village', y.year, y.status, h.main_cause,
         assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok),
         count(*), sum(h.size)
  FROM household h JOIN household_year y ON y.household_id = h.id
  WHERE villages IS NULL OR h.village_code = ANY (villages)
  GROUP BY 1, 3, 4, 5, 6;
  -- Each level sums the one below it (smaller at every step than summing villages four times).
  INSERT INTO household_agg (area_code, level, year, status, main_cause, gaps, households, people)
  SELECT left(area_code, 9), 'township', year, status, main_cause, gaps, sum(households), sum(people)
  FROM household_agg WHERE level = 'village' AND (villages IS NULL OR left(area_code, 9) IN (SELECT left(v, 9) FROM unnest(villages) v))
  GROUP BY 1, 3, 4, 5, 6;
  INSERT INTO household_agg (area_code, level, year, status, main_cause, gaps, households, people)
  SELECT left(area_code, 6), 'county', year, status, main_cause, gaps, sum(households), sum(people)
  FROM household_agg WHERE level = 'township' AND (villages IS NULL OR left(area_code, 6) IN (SELECT left(v, 6) FROM unnest(villages) v))
  GROUP BY 1, 3, 4, 5, 6;
  INSERT INTO household_agg (area_code, level, year, status, main_cause, gaps, households, people)
  SELECT left(area_code, 4), 'prefecture', year, status, main_cause, gaps, sum(households), sum(people)
  FROM household_agg WHERE level = 'county' AND (villages IS NULL OR left(area_code, 4) IN (SELECT left(v, 4) FROM unnest(villages) v))
  GROUP BY 1, 3, 4, 5, 6;
  INSERT INTO household_agg (area_code, level, year, status, main_cause, gaps, households, people)
  SELECT left(area_code, 2), 'province', year, status, main_cause, gaps, sum(households), sum(people)
  FROM household_agg WHERE level = 'prefecture'
  GROUP BY 1, 3, 4, 5, 6;
END
$$;

-- Filters shared by household tiles and statistics. q: { year, status: text[]|null, cause: text[]|null, gapmask: int }.
CREATE FUNCTION household_filter_matches(q jsonb, status text, main_cause text, gaps integer)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (q -> 'status' IS NULL OR jsonb_typeof(q -> 'status') = 'null' OR q -> 'status' ? status)
     AND (q -> 'cause' IS NULL OR jsonb_typeof(q -> 'cause') = 'null' OR q -> 'cause' ? main_cause)
     AND (COALESCE((q ->> 'gapmask')::int, 0) = 0 OR gaps & (q ->> 'gapmask')::int <> 0)
$$;

-- Aggregated household features at the seats of the areas of one level inside a tile.
CREATE FUNCTION household_agg_features(lvl text, z integer, x integer, y integer, q jsonb)
RETURNS TABLE (id bigint, code text, name text, count bigint, people bigint, poor bigint, lifted bigint, returned bigint,
  c_illness bigint, c_disability bigint, c_schooling bigint, c_disaster bigint, c_land bigint, c_water bigint,
  c_skills bigint, c_labour bigint, c_capital bigint, c_transport bigint, c_drive bigint, c_other bigint, geom geometry)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT ar.code::bigint, ar.code, ar.name, sum(a.households)::bigint, sum(a.people)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.status = 'poor'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.status = 'lifted'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.status = 'returned'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'illness'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'disability'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'schooling'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'disaster'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'land'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'water'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'skills'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'labour'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'capital'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'transport'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'drive'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'other'), 0)::bigint,
    ar.label_3857
  FROM admin_area ar
  JOIN household_agg a ON a.area_code = ar.code AND a.year = (q ->> 'year')::int
  WHERE ar.level = lvl
    AND ar.label_3857 && ST_TileEnvelope(z, x, y, margin => 0.015625)
    AND household_filter_matches(q, a.status, a.main_cause, a.gaps)
  GROUP BY ar.code, ar.name, ar.label_3857
$$;

-- Tile cache invalidation: a version per tile layer, bumped by any change to the tables behind it.
CREATE TABLE tile_layer_version (
  layer text PRIMARY KEY,
  version bigint NOT NULL DEFAULT 1
);
INSERT INTO tile_layer_version (layer) VALUES ('admin'), ('villages'), ('roads'), ('water'), ('schools'), ('clinics'), ('households'), ('projects');

CREATE FUNCTION bump_tile_layers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tile_layer_version SET version = version + 1 WHERE layer = ANY (TG_ARGV);
  RETURN NULL;
END
$$;
CREATE TRIGGER admin_area_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin_area FOR EACH STATEMENT EXECUTE FUNCTION bump_tile_layers('admin', 'villages');
CREATE TRIGGER indicator_value_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON indicator_value FOR EACH STATEMENT EXECUTE FUNCTION bump_tile_layers('villages');
CREATE TRIGGER road_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON road FOR EACH STATEMENT EXECUTE FUNCTION bump_tile_layers('roads');
CREATE TRIGGER water_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON water FOR EACH STATEMENT EXECUTE FUNCTION bump_tile_layers('water');
CREATE TRIGGER school_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON school FOR EACH STATEMENT EXECUTE FUNCTION bump_tile_layers('schools');
CREATE TRIGGER clinic_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON clinic FOR EACH STATEMENT EXECUTE FUNCTION bump_tile_layers('clinics');
CREATE TRIGGER project_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON project FOR EACH STATEMENT EXECUTE FUNCTION bump_tile_layers('projects');
CREATE TRIGGER household_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON household FOR EACH STATEMENT EXECUTE FUNCTION bump_tile_layers('households', 'villages');
CREATE TRIGGER household_year_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON household_year FOR EACH STATEMENT EXECUTE FUNCTION bump_tile_layers('households', 'villages');

-- Keeps household_agg current for edits made after a load (a household visit, a status change).
CREATE FUNCTION household_year_refresh_agg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM refresh_household_agg(ARRAY(SELECT DISTINCT h.village_code FROM old_rows o JOIN household h ON h.id = o.household_id));
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    PERFORM refresh_household_agg(ARRAY(SELECT DISTINCT h.village_code FROM new_rows n JOIN household h ON h.id = n.household_id));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER household_year_agg_upd AFTER UPDATE ON household_year REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION household_year_refresh_agg();
CREATE FUNCTION household_refresh_agg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_household_agg(ARRAY(SELECT DISTINCT village_code FROM old_rows UNION SELECT DISTINCT village_code FROM new_rows));
  RETURN NULL;
END
$$;
CREATE TRIGGER household_agg_upd AFTER UPDATE ON household REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION household_refresh_agg();

-- What ST_AsMVTGeom does, for the embedded PostGIS which lacks protobuf: clip to the buffered tile,
-- map to tile units with y down, snap to the integer grid. Exterior rings are forced clockwise in
-- world coordinates so that after the y flip they wind as the MVT spec requires.
CREATE FUNCTION tile_geom(g geometry, z integer, x integer, y integer, extent integer DEFAULT 4096, buffer integer DEFAULT 64)
RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH b AS (SELECT ST_TileEnvelope(z, x, y) AS env),
  s AS (SELECT ST_XMin(env) AS x0, ST_YMax(env) AS y1, extent / (ST_XMax(env) - ST_XMin(env)) AS k, env FROM b)
  SELECT ST_RemoveRepeatedPoints(ST_SnapToGrid(
    ST_Affine(ST_ForcePolygonCW(ST_ClipByBox2D(g, ST_Expand(env, buffer / k))), k, 0, 0, -k, -x0 * k, y1 * k), 1))
  FROM s
$$;
