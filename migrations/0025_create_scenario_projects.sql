-- A siting scenario becomes planned projects (issue 18: "a scenario can become a planned project").
-- The request role writes no project row; this owner-rights function does it for county-level planners
-- and above (province administrator, prefecture and county officers), in the session's area: each site of
-- the scenario (a road link's line for a road scenario) becomes one project at stage 'plan', typed by
-- facility, in the village it lies in, its budget the scenario's cost per site. Department viewers site
-- projects and save scenarios but do not put them into the project plan; township and village staff
-- neither (projects are planned by the county, 县级项目库).

-- Which scenario site a project came from. No foreign key: scenarios may be deleted by their authors and
-- a demo load replaces the project table; the pair is unique, so converting twice makes no duplicates.
ALTER TABLE project ADD COLUMN scenario_id integer, ADD COLUMN scenario_site integer;
ALTER TABLE project ADD CONSTRAINT project_scenario_pair CHECK ((scenario_id IS NULL) = (scenario_site IS NULL));
CREATE UNIQUE INDEX project_scenario_site_idx ON project (scenario_id, scenario_site) WHERE scenario_id IS NOT NULL;
COMMENT ON COLUMN project.scenario_id IS 'siting_scenario.id the project was planned from (povmap_scenario_to_projects), NULL for loaded projects';
COMMENT ON COLUMN project.scenario_site IS 'the site''s rank (1-based) in that scenario''s result';

-- Makes the scenario's sites planned projects; answers every project of the scenario, `created` for those
-- made by this call. Refusals: 42501 for a role that may not, P0002 for a scenario that is not in the
-- caller's area (as for one that does not exist).
CREATE FUNCTION povmap_scenario_to_projects(p_scenario integer, p_year integer DEFAULT NULL)
RETURNS TABLE (project_id integer, site integer, created boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  c record;
  s record;
  v_type text;
  v_label text;
  v_cost double precision;
  v_year integer;
  v_max integer;
  v_sites integer;
  v_created integer := 0;
BEGIN
  SELECT * INTO c FROM povmap_session_caller() x WHERE x.factor_ok;
  IF NOT FOUND OR c.role NOT IN ('province_admin', 'prefecture_officer', 'county_officer') THEN
    RAISE EXCEPTION 'this role may not put projects into the plan' USING ERRCODE = '42501';
  END IF;
  SELECT * INTO s FROM siting_scenario x WHERE x.id = p_scenario AND starts_with(x.area_code, c.scope);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no scenario % in your area', p_scenario USING ERRCODE = 'P0002';
  END IF;
  v_type := CASE s.facility WHEN 'water' THEN 'water' WHEN 'school' THEN 'education' WHEN 'clinic' THEN 'health' ELSE 'road' END;
  v_label := CASE s.facility WHEN 'water' THEN '集中供水工程' WHEN 'school' THEN '学校新建工程' WHEN 'clinic' THEN '卫生室新建工程' ELSE '连通公路工程' END;
  v_cost := GREATEST(COALESCE((s.request ->> 'siteCostYuan')::double precision, 0), 0);
  v_year := COALESCE(p_year, (s.result ->> 'year')::integer, extract(year FROM now())::integer);
  -- Project ids are plain integers (the loader writes the generator's): one allocation at a time.
  PERFORM pg_advisory_xact_lock(hashtext('povmap_project_id'));
  SELECT COALESCE(max(p.id), 0) INTO v_max FROM project p;
  v_sites := COALESCE(jsonb_array_length(CASE WHEN s.facility = 'road' THEN s.result -> 'links' ELSE s.result -> 'sites' END), 0);
  -- Nothing to add (the second call): no write, so the projects' tiles stay cached.
  IF v_sites > (SELECT count(*) FROM project p WHERE p.scenario_id = s.id) THEN
    INSERT INTO project (id, type, name, stage, year, budget_yuan, spent_yuan, county_code, village_code,
                         beneficiary_households, beneficiary_villages, geom, scenario_id, scenario_site)
    SELECT v_max + row_number() OVER (ORDER BY n.site)::integer, v_type,
           left(v.name || v_label || '（选址方案「' || s.name || '」第' || n.site || '处）', 200),
           'plan', v_year, v_cost, 0, left(v.code, 6), v.code, n.households, 1, n.geom, s.id, n.site
    FROM (
      SELECT e.ord::integer AS site, g.geom, CASE WHEN s.facility = 'road' THEN ST_StartPoint(g.geom) ELSE g.geom END AS anchor,
             GREATEST(COALESCE((e.v ->> 'covered')::integer, (e.v ->> 'households')::integer, 0), 0) AS households
      FROM jsonb_array_elements(CASE WHEN s.facility = 'road' THEN s.result -> 'links' ELSE s.result -> 'sites' END) WITH ORDINALITY AS e(v, ord)
      CROSS JOIN LATERAL (
        SELECT CASE WHEN s.facility = 'road'
                    THEN ST_SetSRID(ST_MakeLine(ST_MakePoint((e.v -> 'from' ->> 'lon')::float8, (e.v -> 'from' ->> 'lat')::float8),
                                                ST_MakePoint((e.v -> 'to' ->> 'lon')::float8, (e.v -> 'to' ->> 'lat')::float8)), 4326)
                    ELSE ST_SetSRID(ST_MakePoint((e.v ->> 'lon')::float8, (e.v ->> 'lat')::float8), 4326) END AS geom
      ) g
    ) n
    -- The village of the area the site lies in; on a gap between outlines, the one with the nearest seat.
    CROSS JOIN LATERAL (
      SELECT a.code, a.name FROM admin_area a
      WHERE a.level = 'village' AND starts_with(a.code, s.area_code)
        AND a.code = COALESCE((SELECT b.code FROM admin_area b WHERE b.level = 'village' AND starts_with(b.code, s.area_code) AND ST_Intersects(b.geom, n.anchor) ORDER BY b.code LIMIT 1),
                              (SELECT b.code FROM admin_area b WHERE b.level = 'village' AND starts_with(b.code, s.area_code) AND b.seat IS NOT NULL ORDER BY b.seat <-> n.anchor, b.code LIMIT 1))
    ) v
    WHERE NOT EXISTS (SELECT 1 FROM project p WHERE p.scenario_id = s.id AND p.scenario_site = n.site);
    GET DIAGNOSTICS v_created = ROW_COUNT;
  END IF;
  INSERT INTO audit_log (actor_id, actor_username, actor_role, action, outcome, area_code, target, detail, ip, user_agent, request_id)
  VALUES (c.user_id, c.username, c.role, 'siting.projects', 'ok', s.area_code, 'scenario:' || s.id,
          jsonb_build_object('scenario', s.id, 'facility', s.facility, 'created', v_created, 'year', v_year),
          nullif(current_setting('povmap.ip', true), ''), nullif(current_setting('povmap.user_agent', true), ''), nullif(current_setting('povmap.request_id', true), ''));
  RETURN QUERY SELECT p.id, p.scenario_site, p.id > v_max FROM project p WHERE p.scenario_id = s.id ORDER BY p.scenario_site;
END
$$;
REVOKE ALL ON FUNCTION povmap_scenario_to_projects(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_scenario_to_projects(integer, integer) TO povmap_app;
