-- Imports of projects and of indicator values (issue 19).
--
-- A project gets a natural key, `code` (项目编号), so that importing the same file twice changes nothing. An
-- import gives its own code (import_code); every other row (the demo loader's) has a code derived from its
-- county and id, so existing rows are backfilled deterministically and rows loaded later (by COPY, which runs
-- without triggers) get theirs too: a stored generated column needs neither.
ALTER TABLE project ADD COLUMN import_code text CHECK (import_code ~ '^[0-9A-Za-z][0-9A-Za-z_./-]{0,39}$');
ALTER TABLE project ADD COLUMN code text GENERATED ALWAYS AS (COALESCE(import_code, 'XM' || county_code || '-' || lpad(id::text, 6, '0'))) STORED;
ALTER TABLE project ADD CONSTRAINT project_code_key UNIQUE (code);
COMMENT ON COLUMN project.import_code IS 'the project code (项目编号) an import gave; NULL for loaded rows';
COMMENT ON COLUMN project.code IS 'natural key of a project: its import code, else XM<county>-<id padded to 6>';

-- The request role reads projects and indicator values and writes neither (migration 0004). These two functions
-- are the only writers besides the loader: they check the session caller's role and area like
-- povmap_import_apply (0019). The server has validated every row already; the checks here are the last word.
-- Who imports: the province administrator (anywhere), prefecture and county officers (their area): projects are
-- planned, approved and funded at county level and above (县级项目库), and so are the environment indicators.
CREATE FUNCTION povmap_project_import(p_rows jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  c record;
  r jsonb;
  v_geom geometry;
  v_area geometry;
  v_county text;
  v_village text;
  v_old record;
  v_next integer;
  v_n integer := 0;
BEGIN
  SELECT * INTO c FROM povmap_session_caller() s WHERE s.factor_ok;
  IF NOT FOUND OR c.role NOT IN ('province_admin', 'prefecture_officer', 'county_officer') THEN
    RAISE EXCEPTION 'only the province administrator and prefecture and county officers import projects' USING ERRCODE = '42501';
  END IF;
  SELECT a.geom INTO v_area FROM admin_area a WHERE a.code = c.scope;
  -- New ids follow the largest (the loader's ids are not a sequence's): one writer of new ids at a time, the
  -- same lock as a scenario's projects take (migration 0025).
  PERFORM pg_advisory_xact_lock(hashtext('povmap_project_id'));
  SELECT COALESCE(max(id), 0) INTO v_next FROM project;
  FOR r IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
    v_geom := ST_SetSRID(ST_GeomFromGeoJSON(r -> 'geometry'), 4326);
    v_county := r ->> 'countyCode';
    v_village := NULLIF(r ->> 'villageCode', '');
    IF v_geom IS NULL OR ST_IsEmpty(v_geom) OR NOT ST_IsValid(v_geom) THEN
      RAISE EXCEPTION 'project %: the geometry is not valid', r ->> 'code' USING ERRCODE = '22023';
    END IF;
    IF NOT starts_with(v_county, c.scope) OR NOT EXISTS (SELECT 1 FROM admin_area WHERE code = v_county AND level = 'county')
       OR (c.role <> 'province_admin' AND (v_area IS NULL OR NOT ST_Covers(v_area, v_geom))) THEN
      RAISE EXCEPTION 'project %: not in your area', r ->> 'code' USING ERRCODE = '42501';
    END IF;
    IF v_village IS NOT NULL AND NOT EXISTS (SELECT 1 FROM admin_area WHERE code = v_village AND level = 'village' AND starts_with(v_village, v_county) AND ST_Intersects(geom, v_geom)) THEN
      RAISE EXCEPTION 'project %: the village % does not hold it', r ->> 'code', v_village USING ERRCODE = '22023';
    END IF;
    SELECT p.id, p.county_code INTO v_old FROM project p WHERE p.code = r ->> 'code' FOR UPDATE;
    IF FOUND THEN
      IF NOT starts_with(v_old.county_code, c.scope) THEN
        RAISE EXCEPTION 'project %: registered outside your area', r ->> 'code' USING ERRCODE = '42501';
      END IF;
      UPDATE project p SET import_code = r ->> 'code', type = r ->> 'type', name = r ->> 'name', stage = r ->> 'stage', year = (r ->> 'year')::int,
        budget_yuan = (r ->> 'budget')::float8, spent_yuan = (r ->> 'spent')::float8, county_code = v_county, village_code = v_village,
        beneficiary_households = (r ->> 'households')::int, beneficiary_villages = (r ->> 'villages')::int, geom = v_geom
      WHERE p.id = v_old.id;
    ELSE
      v_next := v_next + 1;
      INSERT INTO project (id, import_code, type, name, stage, year, budget_yuan, spent_yuan, county_code, village_code, beneficiary_households, beneficiary_villages, geom)
      VALUES (v_next, r ->> 'code', r ->> 'type', r ->> 'name', r ->> 'stage', (r ->> 'year')::int, (r ->> 'budget')::float8, (r ->> 'spent')::float8,
              v_county, v_village, (r ->> 'households')::int, (r ->> 'villages')::int, v_geom);
    END IF;
    v_n := v_n + 1;
  END LOOP;
  RETURN v_n;
END
$$;
REVOKE ALL ON FUNCTION povmap_project_import(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_project_import(jsonb) TO povmap_app;
COMMENT ON FUNCTION povmap_project_import(jsonb) IS 'creates or changes projects by code ([{code, name, type, stage, year, budget, spent, countyCode, villageCode, households, villages, geometry (GeoJSON, WGS84)}]) for the session caller, within their area';

-- Values per village and year; only what differs is written. Household-level (AF) indicators are computed
-- from the registry, never imported.
CREATE FUNCTION povmap_indicator_import(p_rows jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  c record;
  v_n integer;
BEGIN
  SELECT * INTO c FROM povmap_session_caller() s WHERE s.factor_ok;
  IF NOT FOUND OR c.role NOT IN ('province_admin', 'prefecture_officer', 'county_officer') THEN
    RAISE EXCEPTION 'only the province administrator and prefecture and county officers import indicator values' USING ERRCODE = '42501';
  END IF;
  IF EXISTS (SELECT 1 FROM jsonb_to_recordset(p_rows) AS t("villageCode" text)
             WHERE NOT starts_with(t."villageCode", c.scope) OR NOT EXISTS (SELECT 1 FROM admin_area a WHERE a.code = t."villageCode" AND a.level = 'village')) THEN
    RAISE EXCEPTION 'a village of the import is not in your area' USING ERRCODE = '42501';
  END IF;
  IF EXISTS (SELECT 1 FROM jsonb_to_recordset(p_rows) AS t("indicatorCode" text)
             WHERE NOT EXISTS (SELECT 1 FROM indicator_def d WHERE d.code = t."indicatorCode" AND d.level = 'village')) THEN
    RAISE EXCEPTION 'an indicator of the import is not a village indicator' USING ERRCODE = '22023';
  END IF;
  INSERT INTO indicator_value (area_code, indicator_code, year, value)
  SELECT t."villageCode", t."indicatorCode", t.year, t.value
  FROM jsonb_to_recordset(p_rows) AS t("villageCode" text, "indicatorCode" text, year integer, value float8)
  ON CONFLICT (area_code, indicator_code, year) DO UPDATE SET value = EXCLUDED.value
  WHERE indicator_value.value IS DISTINCT FROM EXCLUDED.value;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  RETURN v_n;
END
$$;
REVOKE ALL ON FUNCTION povmap_indicator_import(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_indicator_import(jsonb) TO povmap_app;
COMMENT ON FUNCTION povmap_indicator_import(jsonb) IS 'writes indicator values [{villageCode, indicatorCode, year, value}] of villages in the session caller''s area';
