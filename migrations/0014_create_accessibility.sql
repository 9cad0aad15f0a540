-- Accessibility and siting (issue 18): travel times of households and village seats to the nearest
-- school, clinic, township seat, county seat and water supply works, computed over the road network and
-- the DEM by the server (server/siting/accessibility.ts) and stored here; saved siting scenarios; and
-- the two functions through which siting and isochrones read households on behalf of callers who may
-- not read them (department viewers): they return sums, never a household's id, record or position.
-- No foreign keys to the registry: the demo loader truncates and reloads it, and these rows are
-- recomputed when the data versions they were computed from change (access_state).

CREATE TABLE household_access (
  household_id bigint PRIMARY KEY,
  village_code text NOT NULL,
  -- Road node the household walks to (road.source_node/target_node ids) and that walk in seconds (Tobler).
  node integer,
  walk_s real,
  school_min real,
  clinic_min real,
  township_min real,
  county_min real,
  water_min real
);
COMMENT ON TABLE household_access IS 'Minutes from each household to the nearest facility of each kind (walk to the road, drive, walk to the door); NULL: unreachable';
CREATE INDEX household_access_village_idx ON household_access (village_code);

CREATE TABLE village_access (
  village_code text PRIMARY KEY,
  node integer,
  walk_s real,
  school_min real,
  clinic_min real,
  township_min real,
  county_min real,
  water_min real
);
COMMENT ON TABLE village_access IS 'Minutes from each village seat to the nearest facility of each kind';

CREATE TABLE access_state (
  id integer PRIMARY KEY CHECK (id = 1),
  -- tile_layer_version of roads, water, schools, clinics, admin and households when computed.
  versions jsonb NOT NULL,
  households integer NOT NULL,
  elapsed_ms integer NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE access_state IS 'The data versions the stored accessibility was computed from; different versions now mean recompute';

CREATE TABLE siting_scenario (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_by integer NOT NULL,
  area_code text NOT NULL,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
  facility text NOT NULL CHECK (facility IN ('water', 'clinic', 'school', 'road')),
  request jsonb NOT NULL,
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE siting_scenario IS 'Saved siting results (aggregates only: sites, counts, figures), compared side by side';
CREATE INDEX siting_scenario_area_idx ON siting_scenario (area_code);

-- ---- access for the request role ---------------------------------------------------------------------------
GRANT SELECT ON household_access TO povmap_app;
GRANT SELECT ON village_access, access_state TO povmap_app;
GRANT SELECT, INSERT, DELETE ON siting_scenario TO povmap_app;

ALTER TABLE household_access ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_access FORCE ROW LEVEL SECURITY;
CREATE POLICY household_access_in_scope ON household_access FOR SELECT TO povmap_app
  USING (starts_with(village_code, (SELECT povmap_caller_scope('registry'))));
ALTER TABLE village_access ENABLE ROW LEVEL SECURITY;
ALTER TABLE village_access FORCE ROW LEVEL SECURITY;
CREATE POLICY village_access_in_scope ON village_access FOR SELECT TO povmap_app
  USING (starts_with(village_code, (SELECT povmap_caller_scope('aggregates'))));
ALTER TABLE siting_scenario ENABLE ROW LEVEL SECURITY;
ALTER TABLE siting_scenario FORCE ROW LEVEL SECURITY;
CREATE POLICY siting_scenario_reads ON siting_scenario FOR SELECT TO povmap_app
  USING (starts_with(area_code, (SELECT povmap_caller_scope('aggregates'))));
CREATE POLICY siting_scenario_saves ON siting_scenario FOR INSERT TO povmap_app
  WITH CHECK (starts_with(area_code, (SELECT povmap_caller_scope('aggregates'))) AND created_by = (SELECT povmap_user_id()));
CREATE POLICY siting_scenario_removes ON siting_scenario FOR DELETE TO povmap_app
  USING (created_by = (SELECT povmap_user_id()));

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['household_access', 'village_access', 'siting_scenario'] LOOP
    EXECUTE format('CREATE POLICY owner_all ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
  END LOOP;
END
$$;

-- ---- households read on the caller's behalf -------------------------------------------------------------------
-- The demand of an area for siting: households of a registry year grouped by village, access road node,
-- walking time (rounded up to 10 s, so a covered group is covered at its true time too), 两不愁三保障
-- gaps (assurance_gaps bits), Alkire–Foster deprivations (household_identification.mask, migration 0013)
-- and poverty status, with their count and people. For any role that
-- sees the area's aggregates (department viewers included): the server computes coverage and the
-- what-if from it and answers sums. Outside the caller's area: an error (42501), not an empty answer.
CREATE FUNCTION povmap_siting_demand(p_area text, p_year integer)
RETURNS TABLE (village_code text, node integer, walk_s real, gaps integer, af_mask integer, poor boolean, households integer, people integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_scope text := povmap_caller_scope('aggregates');
BEGIN
  IF v_scope IS NULL OR NOT starts_with(p_area, v_scope) THEN
    RAISE EXCEPTION 'area % is outside the caller''s area', p_area USING ERRCODE = '42501';
  END IF;
  RETURN QUERY
    SELECT y.village_code, a.node, (ceil(a.walk_s / 10) * 10)::real,
           assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok),
           COALESCE(i.mask, 0), y.status IN ('poor', 'returned'), count(*)::integer, sum(h.size)::integer
    FROM household_year y
    JOIN household h ON h.id = y.household_id
    LEFT JOIN household_access a ON a.household_id = y.household_id
    LEFT JOIN household_identification i ON i.household_id = y.household_id AND i.year = y.year
    WHERE y.year = p_year AND starts_with(y.village_code, p_area)
    GROUP BY 1, 2, 3, 4, 5, 6;
END
$$;
REVOKE ALL ON FUNCTION povmap_siting_demand(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_siting_demand(text, integer) TO povmap_app;

-- Poor households of a year inside a polygon (an isochrone), within the caller's area. Roles that see
-- aggregates only get no count of fewer than 3 (NULL), as in the household tiles.
CREATE FUNCTION povmap_poor_within(p_geom geometry, p_year integer)
RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_scope text := povmap_caller_scope('aggregates');
  v_registry boolean := povmap_caller_scope('registry') IS NOT NULL;
  v_n integer;
BEGIN
  IF v_scope IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT count(*)::integer INTO v_n
  FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = p_year
  WHERE starts_with(h.village_code, v_scope) AND y.status IN ('poor', 'returned')
    AND h.geom && p_geom AND ST_Intersects(p_geom, h.geom);
  IF NOT v_registry AND v_n BETWEEN 1 AND 2 THEN
    RETURN NULL;
  END IF;
  RETURN v_n;
END
$$;
REVOKE ALL ON FUNCTION povmap_poor_within(geometry, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_poor_within(geometry, integer) TO povmap_app;
