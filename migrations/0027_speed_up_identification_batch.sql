-- The whole identification as a batch, faster (issue 17: province scale under 2 minutes), and the
-- default measure changed by a background job instead of inside the request.
--
-- Where identification_identify(year) spent a demo year's time: the members of the whole province were
-- aggregated again for every year, the value array of every household was materialised and then read
-- ten times, and every inserted row updated two B-trees. The batch now
--   1. aggregates the members once per batch (a temporary table, hash-joined to each year's rows);
--   2. computes each year's deprivation mask straight from the indicator system's cut-offs (no array);
--   3. drops the table's indexes for a full rebuild and builds them once at the end (a sort each).
-- The values are those of identification_values (migration 0021); tests/server/identification hold the
-- batch equal, column by column, to what the per-household path (the registry triggers) writes.

-- Members per household, once per batch: what the AF member indicators need. Dropped at commit.
CREATE FUNCTION identification_batch_begin(p_full boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp SET jit = off SET work_mem = '256MB' AS $$
BEGIN
  IF to_regclass('pg_temp.identification_batch_member') IS NOT NULL THEN
    DROP TABLE pg_temp.identification_batch_member;
  END IF;
  CREATE TEMP TABLE identification_batch_member ON COMMIT DROP AS
  SELECT m.household_id,
         count(*) FILTER (WHERE NOT m.medical_insurance)::int AS uninsured,
         count(*) FILTER (WHERE m.health IN ('chronic', 'serious'))::int AS chronic,
         array_agg(m.birth_year) FILTER (WHERE (m.in_school IS NULL OR m.in_school = 'preschool') AND m.birth_year >= 1999) AS unschooled
  FROM member m
  GROUP BY m.household_id;
  ANALYZE pg_temp.identification_batch_member;
  IF p_full THEN
    -- A full rebuild: rows in without index upkeep, the indexes built once by identification_batch_end.
    TRUNCATE household_identification;
    ALTER TABLE household_identification DROP CONSTRAINT household_identification_pkey;
    DROP INDEX household_identification_village_year_idx;
  END IF;
END
$$;

-- One year, one set-based statement (after identification_batch_begin in the same transaction).
-- JIT off: the statement's cost estimate turns JIT on, and compiling it took ~3 s of a demo year's ~13 s.
CREATE FUNCTION identification_batch_year(p_year integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp SET jit = off SET work_mem = '256MB' AS $$
DECLARE
  n integer;
BEGIN
  DELETE FROM household_identification WHERE year = p_year;
  INSERT INTO household_identification (household_id, year, village_code, people, income_per_capita, line, mask, deprived, score, poor_af, poor_official, official_gaps)
  SELECT x.household_id, x.year, x.village_code, x.size, x.income_per_capita, x.line, x.mask, s.deprived, s.score, af_poor(s.score, sc.k),
    (x.income_per_capita < x.line) OR NOT (x.food_clothing_ok AND x.education_ok AND x.medical_ok AND x.housing_ok AND x.water_ok),
    array_remove(ARRAY[
      CASE WHEN x.income_per_capita < x.line THEN 'income' END,
      CASE WHEN NOT x.food_clothing_ok THEN 'food_clothing' END,
      CASE WHEN NOT x.education_ok THEN 'education' END,
      CASE WHEN NOT x.medical_ok THEN 'medical' END,
      CASE WHEN NOT x.housing_ok THEN 'housing' END,
      CASE WHEN NOT x.water_ok THEN 'water' END], NULL)
  FROM (
    SELECT y.household_id, y.year, y.village_code, y.income_per_capita, y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok,
      y.water_ok, h.size, l.line,
      af_deprived(y.income_per_capita / l.line, cut.c[1], cut.dir[1])
      | (af_deprived(CASE WHEN NOT y.water_ok AND (h.water_difficulty OR h.water_source IS NULL) THEN 0 ELSE 1 END, cut.c[2], cut.dir[2]) << 1)
      | (af_deprived(CASE WHEN NOT y.water_ok AND h.water_source IN ('unprotected_well', 'river_lake') THEN 0 ELSE 1 END, cut.c[3], cut.dir[3]) << 2)
      | (af_deprived(CASE WHEN NOT y.water_ok AND (h.water_source IN ('river_lake', 'unprotected_well') OR (h.water_source = 'protected_well' AND h.water_difficulty))
                          THEN 0 ELSE 1 END, cut.c[4], cut.dir[4]) << 3)
      | (af_deprived(CASE WHEN NOT y.water_ok AND h.water_source IN ('rainwater', 'river_lake') THEN 0 ELSE 1 END, cut.c[5], cut.dir[5]) << 4)
      | (af_deprived(CASE WHEN y.food_clothing_ok THEN 1 ELSE 0 END, cut.c[6], cut.dir[6]) << 5)
      | (af_deprived(CASE WHEN m.unschooled IS NULL THEN 0
                          ELSE (SELECT count(*) FROM unnest(m.unschooled) b WHERE y.year - b BETWEEN 6 AND 15 AND h.registered_year - b >= 6) END
                     + CASE WHEN y.education_ok THEN 0 ELSE 1 END, cut.c[7], cut.dir[7]) << 6)
      | (af_deprived(COALESCE(m.uninsured, 0), cut.c[8], cut.dir[8]) << 7)
      | (af_deprived(CASE WHEN y.medical_ok THEN 0 ELSE greatest(COALESCE(m.chronic, 0), 1) END, cut.c[9], cut.dir[9]) << 8)
      | (af_deprived(CASE WHEN y.housing_ok THEN least(COALESCE(r.rating, 1), 2) ELSE COALESCE(r.rating, 3) END, cut.c[10], cut.dir[10]) << 9) AS mask
    FROM household_year y
    JOIN household h ON h.id = y.household_id
    LEFT JOIN pg_temp.identification_batch_member m ON m.household_id = y.household_id
    -- The line as identification_values takes it: the last one up to the year, for 2014–2030.
    CROSS JOIN (SELECT CASE WHEN p_year BETWEEN 2014 AND 2030 THEN (SELECT l.yuan FROM poverty_line l WHERE l.year <= p_year ORDER BY l.year DESC LIMIT 1) END AS line) l
    CROSS JOIN (
      SELECT array_agg(d.threshold_value ORDER BY b) AS c, array_agg(d.direction ORDER BY b) AS dir
      FROM generate_series(0, 9) b LEFT JOIN indicator_def d ON d.af_bit = b AND d.level = 'household'
    ) cut
    CROSS JOIN LATERAL (SELECT CASE h.housing_safety WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 END AS rating) r
    WHERE y.year = p_year
    -- OFFSET 0 keeps the mask computed once per row: pulled up, it was computed again for the join.
    OFFSET 0
  ) x
  CROSS JOIN (SELECT (SELECT k FROM identification_scenario WHERE is_default) AS k) sc
  JOIN identification_mask_table((SELECT weights FROM identification_scenario WHERE is_default)) s ON s.mask = x.mask;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;

-- The profile of every area from scratch, all levels in one statement from one village aggregate, and
-- its indexes built once after (identification_refresh_profile(NULL) inserted 394k demo rows level by
-- level through three indexes: 13 s of the batch's 31 s "areas" step on a loaded machine).
CREATE FUNCTION identification_batch_profile() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp SET jit = off SET work_mem = '256MB' SET maintenance_work_mem = '256MB' AS $$
BEGIN
  TRUNCATE identification_profile;
  DROP INDEX identification_profile_area_year_idx, identification_profile_parent_year_idx, identification_profile_key;
  INSERT INTO identification_profile (area_code, level, parent_code, year, mask, poor_official, households, people)
  WITH v AS MATERIALIZED (
    SELECT x.village_code AS code, x.year, x.mask, x.poor_official, count(*) AS households, sum(x.people) AS people
    FROM household_identification x
    GROUP BY x.village_code, x.year, x.mask, x.poor_official
  ),
  -- Each level summed from the one below: fewer rows at each step.
  t AS MATERIALIZED (SELECT left(code, 9) AS code, year, mask, poor_official, sum(households) AS households, sum(people) AS people FROM v GROUP BY 1, 2, 3, 4),
  c AS MATERIALIZED (SELECT left(code, 6) AS code, year, mask, poor_official, sum(households) AS households, sum(people) AS people FROM t GROUP BY 1, 2, 3, 4),
  p AS MATERIALIZED (SELECT left(code, 4) AS code, year, mask, poor_official, sum(households) AS households, sum(people) AS people FROM c GROUP BY 1, 2, 3, 4)
  SELECT code, 'village', left(code, 9), year, mask, poor_official, households, people FROM v
  UNION ALL SELECT code, 'township', left(code, 6), year, mask, poor_official, households, people FROM t
  UNION ALL SELECT code, 'county', left(code, 4), year, mask, poor_official, households, people FROM c
  UNION ALL SELECT code, 'prefecture', left(code, 2), year, mask, poor_official, households, people FROM p
  UNION ALL SELECT left(code, 2), 'province', NULL, year, mask, poor_official, sum(households), sum(people) FROM p GROUP BY 1, 4, 5, 6;
  CREATE INDEX identification_profile_area_year_idx ON identification_profile (area_code, year);
  CREATE INDEX identification_profile_parent_year_idx ON identification_profile (parent_code, year);
  CREATE UNIQUE INDEX identification_profile_key ON identification_profile (area_code, year, mask, poor_official);
END
$$;

-- The indexes come back (a full batch), then the profile of every area once.
CREATE FUNCTION identification_batch_end(p_full boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp SET jit = off SET work_mem = '256MB' SET maintenance_work_mem = '256MB' AS $$
BEGIN
  IF p_full THEN
    ALTER TABLE household_identification ADD CONSTRAINT household_identification_pkey PRIMARY KEY (household_id, year);
    CREATE INDEX household_identification_village_year_idx ON household_identification (village_code, year);
  END IF;
  IF to_regclass('pg_temp.identification_batch_member') IS NOT NULL THEN
    DROP TABLE pg_temp.identification_batch_member;
  END IF;
  PERFORM identification_batch_profile();
END
$$;

-- The loader's last step and indicator_def_edit's re-identification: the batch, every year.
CREATE OR REPLACE FUNCTION identification_refresh_all() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  n integer := 0;
  y integer;
BEGIN
  PERFORM identification_batch_begin(true);
  FOR y IN SELECT DISTINCT year FROM household_year ORDER BY year LOOP
    n := n + identification_batch_year(y);
  END LOOP;
  PERFORM identification_batch_end(true);
  RETURN n;
END
$$;

REVOKE ALL ON FUNCTION identification_batch_begin(boolean), identification_batch_year(integer), identification_batch_end(boolean),
  identification_batch_profile() FROM PUBLIC;

-- ---- the default measure changed by a background job (server/identification/measure-jobs.ts) ----------------
-- The job sets the measure, then re-scores year by year in its one transaction (progress between years);
-- identification_default_update (0013) did both in one statement inside the request.
CREATE FUNCTION identification_default_set(p_k double precision, p_weights jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  c record;
BEGIN
  SELECT * INTO c FROM povmap_session_caller() s WHERE s.factor_ok;
  IF c.role IS DISTINCT FROM 'province_admin' THEN
    RAISE EXCEPTION 'only the province administrator changes the default measure' USING ERRCODE = '42501';
  END IF;
  UPDATE identification_scenario SET k = p_k, weights = p_weights, updated_at = now(), updated_by = c.username WHERE is_default;
END
$$;

-- One year's scores and AF poverty under the default measure; only rows whose figures change are written
-- (households deprived in nothing keep score 0 and stay non-poor under any weights and k).
CREATE FUNCTION identification_rescore_year(p_year integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  c record;
  n integer;
BEGIN
  SELECT * INTO c FROM povmap_session_caller() s WHERE s.factor_ok;
  IF c.role IS DISTINCT FROM 'province_admin' THEN
    RAISE EXCEPTION 'only the province administrator re-scores the households' USING ERRCODE = '42501';
  END IF;
  UPDATE household_identification x SET score = s.score, poor_af = af_poor(s.score, sc.k), computed_at = now()
  FROM identification_mask_table((SELECT weights FROM identification_scenario WHERE is_default)) s,
       (SELECT k FROM identification_scenario WHERE is_default) sc
  WHERE x.year = p_year AND x.mask <> 0 AND s.mask = x.mask
    AND (x.score IS DISTINCT FROM s.score OR x.poor_af IS DISTINCT FROM af_poor(s.score, sc.k));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
REVOKE ALL ON FUNCTION identification_default_set(double precision, jsonb), identification_rescore_year(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION identification_default_set(double precision, jsonb), identification_rescore_year(integer) TO povmap_app;
