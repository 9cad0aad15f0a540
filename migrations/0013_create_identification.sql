-- Multidimensional identification (Alkire–Foster) and the indicator system defined once (issue 17).
--
-- SHAPE OTHERS READ (cross-checks, mis-identification flags, siting):
--   household_identification(household_id bigint, year int, village_code text, people int,
--     income_per_capita double precision, line double precision,  -- the year's poverty line (yuan)
--     mask int,               -- bit af_bit of indicator_def set when deprived in that indicator
--     deprived text[],        -- codes of the indicators deprived in (uncensored), af_bit order
--     score double precision, -- deprivation score c_i in 0..1 with the DEFAULT weights
--     poor_af boolean,        -- c_i >= k (default scenario k) and c_i > 0
--     poor_official boolean,  -- official rule: income under the line or any 两不愁三保障 item not assured
--     official_gaps text[],   -- which: income, food_clothing, education, medical, housing, water
--     computed_at timestamptz) PRIMARY KEY (household_id, year)
--   One row per household_year row; people = household.size. Row-level security as household_year
--   (registry roles, caller's area). Kept current by triggers on household, household_year and member
--   (per household, incrementally) and rebuilt in full by identification_refresh_all() (loader, npm run identify).
--   identification_profile(area_code, level, parent_code, year, mask, poor_official, households, people):
--   the same, counted per area (every level) and deprivation pattern: every AF figure for any weights
--   and k derives exactly from it (server/identification), and it adds up the hierarchy by construction.
--
-- The AF indicators are rows of indicator_def with level 'household' and an af_bit; their deprivation
-- cut-offs are threshold_value (with direction). Weights and k are an identification_scenario (the
-- default one, id 1, is the measure household_identification holds).

-- ---- the indicator system: indicator_def extended, versioned ------------------------------------------------
ALTER TABLE indicator_def
  ADD COLUMN level text NOT NULL DEFAULT 'village' CHECK (level IN ('household', 'village')),
  ADD COLUMN dimension text,
  ADD COLUMN source text,
  ADD COLUMN threshold_value double precision,
  ADD COLUMN threshold_basis text CHECK (threshold_basis IN ('exit_criterion', 'planning_target', 'deprivation_cutoff')),
  ADD COLUMN threshold_note_zh text,
  ADD COLUMN threshold_note_en text,
  ADD COLUMN af_bit smallint UNIQUE CHECK (af_bit BETWEEN 0 AND 9),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD CONSTRAINT indicator_def_threshold_whole CHECK ((threshold_value IS NULL) = (threshold_basis IS NULL));
COMMENT ON COLUMN indicator_def.level IS 'household: an AF deprivation indicator computed from the registry; village: a value per village and year';
COMMENT ON COLUMN indicator_def.threshold_value IS 'exit criterion, planning target or (household level) deprivation cut-off, compared by direction';
COMMENT ON COLUMN indicator_def.af_bit IS 'bit of household_identification.mask; fixed by identification_values(), not editable';

-- Every version of every edited definition. The demo loader replaces indicator_def wholesale, so the
-- latest version of each code is re-applied after a load (indicator_catalogue_restore): edits survive.
CREATE TABLE indicator_def_version (
  code text NOT NULL,
  version integer NOT NULL,
  definition jsonb NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changed_by text,
  note text,
  PRIMARY KEY (code, version)
);
COMMENT ON TABLE indicator_def_version IS 'history of indicator definitions: definition holds the editable fields of that version (a seed version may hold only some)';

CREATE FUNCTION indicator_def_editable(d indicator_def) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('name_zh', d.name_zh, 'name_en', d.name_en, 'unit', d.unit, 'direction', d.direction,
    'category', d.category, 'description', d.description, 'level', d.level, 'dimension', d.dimension, 'source', d.source,
    'threshold_value', d.threshold_value, 'threshold_basis', d.threshold_basis,
    'threshold_note_zh', d.threshold_note_zh, 'threshold_note_en', d.threshold_note_en)
$$;

CREATE FUNCTION indicator_catalogue_restore() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO indicator_def (code, name_zh, name_en, unit, direction, category, description)
  SELECT l.code, l.d ->> 'name_zh', l.d ->> 'name_en', l.d ->> 'unit', l.d ->> 'direction', l.d ->> 'category', l.d ->> 'description'
  FROM (SELECT DISTINCT ON (code) code, definition AS d FROM indicator_def_version ORDER BY code, version DESC) l
  WHERE l.d ?& ARRAY['name_zh', 'name_en', 'unit', 'direction', 'category']
  ON CONFLICT (code) DO NOTHING;
  UPDATE indicator_def x SET
    name_zh = COALESCE(l.d ->> 'name_zh', x.name_zh),
    name_en = COALESCE(l.d ->> 'name_en', x.name_en),
    unit = COALESCE(l.d ->> 'unit', x.unit),
    direction = COALESCE(l.d ->> 'direction', x.direction),
    category = COALESCE(l.d ->> 'category', x.category),
    description = CASE WHEN l.d ? 'description' THEN l.d ->> 'description' ELSE x.description END,
    level = COALESCE(l.d ->> 'level', x.level),
    dimension = CASE WHEN l.d ? 'dimension' THEN l.d ->> 'dimension' ELSE x.dimension END,
    source = CASE WHEN l.d ? 'source' THEN l.d ->> 'source' ELSE x.source END,
    threshold_value = CASE WHEN l.d ? 'threshold_value' THEN (l.d ->> 'threshold_value')::double precision ELSE x.threshold_value END,
    threshold_basis = CASE WHEN l.d ? 'threshold_basis' THEN l.d ->> 'threshold_basis' ELSE x.threshold_basis END,
    threshold_note_zh = CASE WHEN l.d ? 'threshold_note_zh' THEN l.d ->> 'threshold_note_zh' ELSE x.threshold_note_zh END,
    threshold_note_en = CASE WHEN l.d ? 'threshold_note_en' THEN l.d ->> 'threshold_note_en' ELSE x.threshold_note_en END,
    af_bit = CASE WHEN l.d ? 'af_bit' THEN (l.d ->> 'af_bit')::smallint ELSE x.af_bit END,
    version = l.version
  FROM (SELECT DISTINCT ON (code) code, version, definition AS d FROM indicator_def_version ORDER BY code, version DESC) l
  WHERE l.code = x.code;
END
$$;

-- Seed versions: the thresholds that lived in server/diagnosis/indicator-thresholds.ts, and the AF indicators.
INSERT INTO indicator_def_version (code, version, definition, changed_by, note) VALUES
('poverty_incidence', 1, '{"source": "建档立卡 registry and census rural population", "threshold_value": 2, "threshold_basis": "exit_criterion", "threshold_note_zh": "贫困村、贫困县退出：贫困发生率低于2%（西部地区3%）", "threshold_note_en": "Exit of a poverty village or county: incidence below 2% (3% in western regions)"}', NULL, 'seed'),
('safe_water_share', 1, '{"source": "water conservancy survey and registry", "threshold_value": 1, "threshold_basis": "exit_criterion", "threshold_note_zh": "两不愁三保障：饮水安全全部达标", "threshold_note_en": "Two assurances, three guarantees: safe drinking water for every household"}', NULL, 'seed'),
('safe_housing_share', 1, '{"source": "housing safety appraisal and registry", "threshold_value": 1, "threshold_basis": "exit_criterion", "threshold_note_zh": "两不愁三保障：住房安全全部达标", "threshold_note_en": "Two assurances, three guarantees: safe housing for every household"}', NULL, 'seed'),
('road_hardened', 1, '{"source": "transport department road register", "threshold_value": 1, "threshold_basis": "exit_criterion", "threshold_note_zh": "贫困村退出：通硬化路", "threshold_note_en": "Exit of a poverty village: a paved road to the village"}', NULL, 'seed'),
('dist_clinic_km', 1, '{"source": "health department facility register", "threshold_value": 5, "threshold_basis": "planning_target", "threshold_note_zh": "规划参考：5公里内有医疗机构", "threshold_note_en": "Planning reference: a clinic within 5 km"}', NULL, 'seed');

INSERT INTO indicator_def_version (code, version, definition, changed_by, note)
SELECT code, 1, jsonb_build_object('name_zh', name_zh, 'name_en', name_en, 'unit', unit, 'direction', direction, 'category', 'identification',
  'description', description, 'level', 'household', 'dimension', dimension, 'source', source, 'threshold_value', cutoff,
  'threshold_basis', 'deprivation_cutoff', 'threshold_note_zh', note_zh, 'threshold_note_en', note_en, 'af_bit', bit), NULL, 'seed'
FROM (VALUES
  (0, 'af_income', '人均纯收入（倍贫困线）', 'Income per person (times the line)', 'ratio', 'higher_better', 'income', 1.0,
   'Income per person per year divided by that year''s national poverty line', 'household_year.income_per_capita',
   '人均纯收入低于当年贫困线', 'income per person below the year''s poverty line'),
  (1, 'af_water_quantity', '饮水水量', 'Drinking water: quantity', 'bool', 'higher_better', 'food', 1,
   '1 unless the registry marks the water unsafe that year and the household reports difficulty getting enough water', 'household.water_difficulty, household_year.water_ok',
   '水量不足', 'not enough water'),
  (2, 'af_water_quality', '饮水水质', 'Drinking water: quality', 'bool', 'higher_better', 'food', 1,
   '1 unless the water is unsafe that year and drawn untreated from an unprotected well, a river or a lake', 'household.water_source, household_year.water_ok',
   '水质不达标', 'water quality below standard'),
  (3, 'af_water_convenience', '取水便利', 'Drinking water: convenience', 'bool', 'higher_better', 'food', 1,
   '1 unless the water is unsafe that year and carried from a river, lake or well outside the home', 'household.water_source, household.water_difficulty, household_year.water_ok',
   '取水不便', 'water fetched from far away'),
  (4, 'af_water_reliability', '供水保证率', 'Drinking water: reliability', 'bool', 'higher_better', 'food', 1,
   '1 unless the water is unsafe that year and depends on rain or a seasonal river or lake', 'household.water_source, household_year.water_ok',
   '供水无保障', 'water supply not reliable'),
  (5, 'af_clothing', '不愁吃穿', 'Food and clothing assured', 'bool', 'higher_better', 'clothing', 1,
   '1 if the registry marks food and clothing assured that year', 'household_year.food_clothing_ok',
   '吃穿未达标', 'food and clothing not assured'),
  (6, 'af_schooling', '义务教育失学辍学', 'Children 6–15 out of school', 'persons', 'lower_better', 'education', 0,
   'Members aged 6–15 that year recorded out of school (when already of school age), plus 1 if the registry marks compulsory education not assured', 'member.birth_year, member.in_school, household_year.education_ok',
   '有6–15岁儿童失学辍学', 'a child aged 6–15 out of school'),
  (7, 'af_insurance', '未参加基本医疗保险人数', 'Members without medical insurance', 'persons', 'lower_better', 'health', 0,
   'Members without basic medical insurance', 'member.medical_insurance',
   '有成员未参加基本医疗保险', 'a member without medical insurance'),
  (8, 'af_chronic_care', '慢病患者未得到保障', 'Chronic illness without care', 'persons', 'lower_better', 'health', 0,
   'Members with a chronic or serious illness in a year the registry marks basic medical care not assured (at least 1 then)', 'member.health, household_year.medical_ok',
   '慢病/大病成员未得到基本医疗保障', 'a chronically ill member without care'),
  (9, 'af_housing', '住房安全等级', 'Housing safety rating', 'rating 1–4', 'lower_better', 'housing', 2,
   'Appraisal A=1, B=2, C=3, D=4; a C/D house counts as B from the year the registry marks housing safe (renovated or relocated)', 'household.housing_safety, household_year.housing_ok',
   '住房鉴定为C级或D级危房', 'house appraised C or D (unsafe)')
) AS t (bit, code, name_zh, name_en, unit, direction, dimension, cutoff, description, source, note_zh, note_en);

SELECT indicator_catalogue_restore();

-- ---- the poverty line by year (domain/codes.ts POVERTY_LINE; a test holds them equal) --------------------------
CREATE TABLE poverty_line (
  year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
  yuan double precision NOT NULL CHECK (yuan > 0)
);
COMMENT ON TABLE poverty_line IS 'national rural poverty line, current yuan per person per year; a later year without a row uses the last line';
INSERT INTO poverty_line (year, yuan) VALUES (2014, 2736), (2015, 2855), (2016, 2952), (2017, 3335), (2018, 3535), (2019, 3747), (2020, 4000);

-- ---- scenarios: weights and k -------------------------------------------------------------------------------
CREATE TABLE identification_scenario (
  id serial PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  owner_id integer,
  area_code text NOT NULL,
  shared boolean NOT NULL DEFAULT false,
  is_default boolean NOT NULL DEFAULT false,
  k double precision NOT NULL CHECK (k >= 0 AND k <= 1),
  weights jsonb NOT NULL CHECK (jsonb_typeof(weights) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);
CREATE UNIQUE INDEX identification_scenario_one_default ON identification_scenario (is_default) WHERE is_default;
COMMENT ON TABLE identification_scenario IS 'AF weights per indicator code (any non-negative scale, normalised) and poverty cut-off k; the default one is the measure of household_identification';
INSERT INTO identification_scenario (name, area_code, is_default, shared, k, weights) VALUES ('default', '43', true, true, 1.0 / 3,
  jsonb_build_object('af_income', 1.0 / 6, 'af_water_quantity', 1.0 / 24, 'af_water_quality', 1.0 / 24, 'af_water_convenience', 1.0 / 24,
    'af_water_reliability', 1.0 / 24, 'af_clothing', 1.0 / 6, 'af_schooling', 1.0 / 6, 'af_insurance', 1.0 / 12,
    'af_chronic_care', 1.0 / 12, 'af_housing', 1.0 / 6));

-- ---- per household ------------------------------------------------------------------------------------------
CREATE TABLE household_identification (
  household_id bigint NOT NULL,
  year integer NOT NULL,
  village_code text NOT NULL,
  people integer NOT NULL,
  income_per_capita double precision NOT NULL,
  line double precision,
  mask integer NOT NULL,
  deprived text[] NOT NULL,
  score double precision NOT NULL,
  poor_af boolean NOT NULL,
  poor_official boolean NOT NULL,
  official_gaps text[] NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (household_id, year)
);
-- No foreign key to household: the loader truncates the registry without knowing this derived table.
CREATE INDEX household_identification_village_year_idx ON household_identification (village_code, year);
COMMENT ON TABLE household_identification IS 'derived: AF deprivations, score (default weights), AF and official poverty per household and year (see migration 0013 header)';

CREATE TABLE identification_profile (
  area_code text NOT NULL,
  level text NOT NULL,
  parent_code text,
  year integer NOT NULL,
  mask integer NOT NULL,
  poor_official boolean NOT NULL,
  households integer NOT NULL,
  people integer NOT NULL
);
CREATE INDEX identification_profile_area_year_idx ON identification_profile (area_code, year);
CREATE INDEX identification_profile_parent_year_idx ON identification_profile (parent_code, year);
COMMENT ON TABLE identification_profile IS 'derived: households and people per area (every level), year, deprivation mask and official poverty';

-- ---- the computation ---------------------------------------------------------------------------------------
-- 1 when deprived: below a higher_better cut-off or above a lower_better one; never without a cut-off.
CREATE FUNCTION af_deprived(v double precision, cutoff double precision, dir text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v IS NULL OR cutoff IS NULL THEN 0 WHEN dir = 'higher_better' THEN (v < cutoff)::int ELSE (v > cutoff)::int END
$$;

-- Achievement values of the AF indicators (v[af_bit + 1]), the deprivation mask and the official rule for
-- the household-years selected (NULL = all). Runs as the caller: under RLS a request sees its area only.
CREATE FUNCTION identification_values(p_year integer DEFAULT NULL, p_villages text[] DEFAULT NULL, p_households bigint[] DEFAULT NULL)
RETURNS TABLE (household_id bigint, year integer, village_code text, people integer, income_per_capita double precision,
  line double precision, v double precision[], mask integer, poor_official boolean, official_gaps text[])
LANGUAGE sql STABLE AS $$
  WITH cut AS (
    SELECT array_agg(d.threshold_value ORDER BY b) AS c, array_agg(d.direction ORDER BY b) AS dir
    FROM generate_series(0, 9) b LEFT JOIN indicator_def d ON d.af_bit = b AND d.level = 'household'
  ),
  lines AS (
    SELECT y AS year, (SELECT l.yuan FROM poverty_line l WHERE l.year <= y ORDER BY l.year DESC LIMIT 1) AS line
    FROM generate_series(2014, 2030) y
  ),
  hy AS (
    SELECT y.household_id, y.year, y.village_code, y.income_per_capita, y.food_clothing_ok, y.education_ok, y.medical_ok,
           y.housing_ok, y.water_ok, h.size, h.water_source, h.water_difficulty, h.housing_safety, h.registered_year, l.line
    FROM household_year y
    JOIN household h ON h.id = y.household_id
    LEFT JOIN lines l ON l.year = y.year
    WHERE (p_year IS NULL OR y.year = p_year)
      AND (p_villages IS NULL OR y.village_code = ANY (p_villages))
      AND (p_households IS NULL OR y.household_id = ANY (p_households))
  ),
  mem AS (
    SELECT m.household_id,
           count(*) FILTER (WHERE NOT m.medical_insurance) AS uninsured,
           count(*) FILTER (WHERE m.health IN ('chronic', 'serious')) AS chronic,
           array_agg(m.birth_year) FILTER (WHERE (m.in_school IS NULL OR m.in_school = 'preschool') AND m.birth_year >= 1999) AS unschooled
    FROM member m
    WHERE m.household_id IN (SELECT DISTINCT hy.household_id FROM hy)
    GROUP BY m.household_id
  ),
  vals AS (
    SELECT hy.*, ARRAY[
      hy.income_per_capita / hy.line,
      CASE WHEN NOT hy.water_ok AND (hy.water_difficulty OR hy.water_source IS NULL) THEN 0 ELSE 1 END,
      CASE WHEN NOT hy.water_ok AND hy.water_source IN ('unprotected_well', 'river_lake') THEN 0 ELSE 1 END,
      CASE WHEN NOT hy.water_ok AND (hy.water_source IN ('river_lake', 'unprotected_well') OR (hy.water_source = 'protected_well' AND hy.water_difficulty)) THEN 0 ELSE 1 END,
      CASE WHEN NOT hy.water_ok AND hy.water_source IN ('rainwater', 'river_lake') THEN 0 ELSE 1 END,
      CASE WHEN hy.food_clothing_ok THEN 1 ELSE 0 END,
      COALESCE((SELECT count(*) FROM unnest(mem.unschooled) b WHERE hy.year - b BETWEEN 6 AND 15 AND hy.registered_year - b >= 6), 0)
        + CASE WHEN hy.education_ok THEN 0 ELSE 1 END,
      COALESCE(mem.uninsured, 0),
      CASE WHEN hy.medical_ok THEN 0 ELSE greatest(COALESCE(mem.chronic, 0), 1) END,
      CASE WHEN hy.housing_ok THEN least(COALESCE(r.rating, 1), 2) ELSE COALESCE(r.rating, 3) END
    ]::double precision[] AS v
    FROM hy
    LEFT JOIN mem ON mem.household_id = hy.household_id
    CROSS JOIN LATERAL (SELECT CASE hy.housing_safety WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 END AS rating) r
  )
  SELECT vals.household_id, vals.year, vals.village_code, vals.size, vals.income_per_capita, vals.line, vals.v,
    af_deprived(vals.v[1], cut.c[1], cut.dir[1]) | (af_deprived(vals.v[2], cut.c[2], cut.dir[2]) << 1)
      | (af_deprived(vals.v[3], cut.c[3], cut.dir[3]) << 2) | (af_deprived(vals.v[4], cut.c[4], cut.dir[4]) << 3)
      | (af_deprived(vals.v[5], cut.c[5], cut.dir[5]) << 4) | (af_deprived(vals.v[6], cut.c[6], cut.dir[6]) << 5)
      | (af_deprived(vals.v[7], cut.c[7], cut.dir[7]) << 6) | (af_deprived(vals.v[8], cut.c[8], cut.dir[8]) << 7)
      | (af_deprived(vals.v[9], cut.c[9], cut.dir[9]) << 8) | (af_deprived(vals.v[10], cut.c[10], cut.dir[10]) << 9),
    (vals.income_per_capita < vals.line) OR NOT (vals.food_clothing_ok AND vals.education_ok AND vals.medical_ok AND vals.housing_ok AND vals.water_ok),
    array_remove(ARRAY[
      CASE WHEN vals.income_per_capita < vals.line THEN 'income' END,
      CASE WHEN NOT vals.food_clothing_ok THEN 'food_clothing' END,
      CASE WHEN NOT vals.education_ok THEN 'education' END,
      CASE WHEN NOT vals.medical_ok THEN 'medical' END,
      CASE WHEN NOT vals.housing_ok THEN 'housing' END,
      CASE WHEN NOT vals.water_ok THEN 'water' END], NULL)
  FROM vals CROSS JOIN cut
$$;

-- Score (normalised weights) and deprived codes of every mask: 1,024 rows joined by hash, so the score
-- costs nothing per household. Weights of codes that are not AF indicators are ignored.
CREATE FUNCTION identification_mask_table(p_weights jsonb) RETURNS TABLE (mask integer, score double precision, deprived text[])
LANGUAGE sql STABLE AS $$
  WITH ind AS (
    SELECT d.code, d.af_bit, greatest(COALESCE((p_weights ->> d.code)::double precision, 0), 0) AS w
    FROM indicator_def d WHERE d.af_bit IS NOT NULL AND d.level = 'household'
  ),
  tot AS (SELECT NULLIF(sum(w), 0) AS t FROM ind)
  SELECT m, COALESCE(COALESCE(sum(ind.w) FILTER (WHERE m & (1 << ind.af_bit) <> 0), 0) / (SELECT t FROM tot), 0),
         COALESCE(array_agg(ind.code ORDER BY ind.af_bit) FILTER (WHERE m & (1 << ind.af_bit) <> 0), '{}')
  FROM generate_series(0, 1023) m LEFT JOIN ind ON true
  GROUP BY m
$$;

-- AF poor: c_i >= k and c_i > 0 (k = 0 is the union approach); the tolerance of domain/identification.
CREATE FUNCTION af_poor(score double precision, k double precision) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT score > 1e-9 AND score >= k - 1e-9
$$;

-- Identifies the selected household-years (one statement) and replaces their rows. Returns the count.
CREATE FUNCTION identification_identify(p_year integer DEFAULT NULL, p_villages text[] DEFAULT NULL, p_households bigint[] DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  IF p_year IS NULL AND p_villages IS NULL AND p_households IS NULL THEN
    TRUNCATE household_identification;
  ELSE
    DELETE FROM household_identification x
    WHERE (p_year IS NULL OR x.year = p_year) AND (p_villages IS NULL OR x.village_code = ANY (p_villages))
      AND (p_households IS NULL OR x.household_id = ANY (p_households));
  END IF;
  INSERT INTO household_identification (household_id, year, village_code, people, income_per_capita, line, mask, deprived, score, poor_af, poor_official, official_gaps)
  SELECT v.household_id, v.year, v.village_code, v.people, v.income_per_capita, v.line, v.mask, s.deprived, s.score, af_poor(s.score, sc.k),
         v.poor_official, v.official_gaps
  FROM identification_values(p_year, p_villages, p_households) v
  CROSS JOIN (SELECT k, weights FROM identification_scenario WHERE is_default) sc
  JOIN identification_mask_table((SELECT weights FROM identification_scenario WHERE is_default)) s ON s.mask = v.mask;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;

-- Rebuilds the profile of the villages given (NULL = all) and of every area above them, level by level.
CREATE FUNCTION identification_refresh_profile(p_villages text[] DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF p_villages IS NULL THEN
    TRUNCATE identification_profile;
  ELSE
    DELETE FROM identification_profile
    WHERE area_code IN (SELECT left(v, n) FROM unnest(p_villages) v, (VALUES (12), (9), (6), (4), (2)) l(n));
  END IF;
  INSERT INTO identification_profile (area_code, level, parent_code, year, mask, poor_official, households, people)
  SELECT x.village_code, 'village', left(x.village_code, 9), x.year, x.mask, x.poor_official, count(*), sum(x.people)
  FROM household_identification x
  WHERE p_villages IS NULL OR x.village_code = ANY (p_villages)
  GROUP BY x.village_code, x.year, x.mask, x.poor_official;
  INSERT INTO identification_profile (area_code, level, parent_code, year, mask, poor_official, households, people)
  SELECT p.parent_code, 'township', left(p.parent_code, 6), p.year, p.mask, p.poor_official, sum(p.households), sum(p.people)
  FROM identification_profile p
  WHERE p.level = 'village' AND (p_villages IS NULL OR p.parent_code IN (SELECT left(v, 9) FROM unnest(p_villages) v))
  GROUP BY p.parent_code, p.year, p.mask, p.poor_official;
  INSERT INTO identification_profile (area_code, level, parent_code, year, mask, poor_official, households, people)
  SELECT p.parent_code, 'county', left(p.parent_code, 4), p.year, p.mask, p.poor_official, sum(p.households), sum(p.people)
  FROM identification_profile p
  WHERE p.level = 'township' AND (p_villages IS NULL OR p.parent_code IN (SELECT left(v, 6) FROM unnest(p_villages) v))
  GROUP BY p.parent_code, p.year, p.mask, p.poor_official;
  INSERT INTO identification_profile (area_code, level, parent_code, year, mask, poor_official, households, people)
  SELECT p.parent_code, 'prefecture', left(p.parent_code, 2), p.year, p.mask, p.poor_official, sum(p.households), sum(p.people)
  FROM identification_profile p
  WHERE p.level = 'county' AND (p_villages IS NULL OR p.parent_code IN (SELECT left(v, 4) FROM unnest(p_villages) v))
  GROUP BY p.parent_code, p.year, p.mask, p.poor_official;
  INSERT INTO identification_profile (area_code, level, parent_code, year, mask, poor_official, households, people)
  SELECT p.parent_code, 'province', NULL, p.year, p.mask, p.poor_official, sum(p.households), sum(p.people)
  FROM identification_profile p
  WHERE p.level = 'prefecture'
  GROUP BY p.parent_code, p.year, p.mask, p.poor_official;
END
$$;

-- Incremental: every year of the households given, then the profile of their villages (old and new).
CREATE FUNCTION identification_refresh_households(p_households bigint[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_villages text[];
  n integer;
BEGIN
  IF p_households IS NULL OR cardinality(p_households) = 0 THEN
    RETURN 0;
  END IF;
  v_villages := ARRAY(SELECT x.village_code FROM household_identification x WHERE x.household_id = ANY (p_households)
                      UNION SELECT h.village_code FROM household h WHERE h.id = ANY (p_households));
  n := identification_identify(NULL, NULL, p_households);
  PERFORM identification_refresh_profile(v_villages);
  RETURN n;
END
$$;

-- Everything: all households, all years, the whole profile (the loader's last step).
CREATE FUNCTION identification_refresh_all() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  n := identification_identify(NULL, NULL, NULL);
  PERFORM identification_refresh_profile(NULL);
  RETURN n;
END
$$;

-- New default weights or k: scores and AF poverty change, deprivations and the profile do not.
CREATE FUNCTION identification_rescore() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  UPDATE household_identification x SET score = s.score, poor_af = af_poor(s.score, sc.k), computed_at = now()
  FROM identification_mask_table((SELECT weights FROM identification_scenario WHERE is_default)) s,
       (SELECT k FROM identification_scenario WHERE is_default) sc
  WHERE s.mask = x.mask;
END
$$;

-- ---- edits by the province administrator (checked here, in the database, from the session) ---------------
CREATE FUNCTION indicator_def_edit(p_code text, p_patch jsonb, p_note text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  c record;
  d indicator_def;
  v_def jsonb;
  v_new integer;
  v_af boolean;
BEGIN
  SELECT * INTO c FROM povmap_session_caller() s WHERE s.factor_ok;
  IF c.role IS DISTINCT FROM 'province_admin' THEN
    RAISE EXCEPTION 'only the province administrator edits the indicator system' USING ERRCODE = '42501';
  END IF;
  SELECT * INTO d FROM indicator_def x WHERE x.code = p_code FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  -- The definition as it stood, so the history shows where the first edit started from.
  INSERT INTO indicator_def_version (code, version, definition, changed_by, note)
  SELECT p_code, d.version, indicator_def_editable(d), NULL, 'as loaded'
  WHERE NOT EXISTS (SELECT 1 FROM indicator_def_version WHERE code = p_code);
  SELECT indicator_def_editable(d) || COALESCE(jsonb_object_agg(e.key, e.value), '{}') INTO v_def
  FROM jsonb_each(p_patch) e
  WHERE e.key IN ('name_zh', 'name_en', 'unit', 'direction', 'category', 'description', 'dimension', 'source',
                  'threshold_value', 'threshold_basis', 'threshold_note_zh', 'threshold_note_en');
  IF d.af_bit IS NOT NULL THEN
    v_def := v_def || jsonb_build_object('af_bit', d.af_bit);
  END IF;
  v_new := greatest(d.version, COALESCE((SELECT max(version) FROM indicator_def_version WHERE code = p_code), 0)) + 1;
  INSERT INTO indicator_def_version (code, version, definition, changed_by, note) VALUES (p_code, v_new, v_def, c.username, p_note);
  PERFORM indicator_catalogue_restore();
  -- A changed deprivation cut-off or direction changes who is deprived: identify again.
  v_af := d.af_bit IS NOT NULL AND (v_def -> 'threshold_value' IS DISTINCT FROM to_jsonb(d.threshold_value) OR v_def ->> 'direction' IS DISTINCT FROM d.direction);
  IF v_af THEN
    PERFORM identification_refresh_all();
  END IF;
  RETURN v_new;
END
$$;

CREATE FUNCTION identification_default_update(p_k double precision, p_weights jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  c record;
BEGIN
  SELECT * INTO c FROM povmap_session_caller() s WHERE s.factor_ok;
  IF c.role IS DISTINCT FROM 'province_admin' THEN
    RAISE EXCEPTION 'only the province administrator changes the default measure' USING ERRCODE = '42501';
  END IF;
  UPDATE identification_scenario SET k = p_k, weights = p_weights, updated_at = now(), updated_by = c.username WHERE is_default;
  PERFORM identification_rescore();
END
$$;

-- ---- registry changes re-identify their households (statement level; the loader defers and does all at once)
CREATE FUNCTION identification_after_registry_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  ids bigint[];
BEGIN
  IF current_setting('povmap.identification_deferred', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'household' THEN
    IF TG_OP = 'DELETE' THEN
      ids := ARRAY(SELECT o.id FROM old_rows o);
    ELSE
      ids := ARRAY(SELECT n.id FROM new_rows n);
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    ids := ARRAY(SELECT DISTINCT o.household_id FROM old_rows o);
  ELSIF TG_OP = 'INSERT' THEN
    ids := ARRAY(SELECT DISTINCT n.household_id FROM new_rows n);
  ELSE
    ids := ARRAY(SELECT o.household_id FROM old_rows o UNION SELECT n.household_id FROM new_rows n);
  END IF;
  PERFORM identification_refresh_households(ids);
  RETURN NULL;
END
$$;
CREATE TRIGGER household_identify_ins AFTER INSERT ON household REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION identification_after_registry_change();
CREATE TRIGGER household_identify_upd AFTER UPDATE ON household REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION identification_after_registry_change();
CREATE TRIGGER household_identify_del AFTER DELETE ON household REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION identification_after_registry_change();
CREATE TRIGGER household_year_identify_ins AFTER INSERT ON household_year REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION identification_after_registry_change();
CREATE TRIGGER household_year_identify_upd AFTER UPDATE ON household_year REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION identification_after_registry_change();
CREATE TRIGGER household_year_identify_del AFTER DELETE ON household_year REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION identification_after_registry_change();
CREATE TRIGGER member_identify_ins AFTER INSERT ON member REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION identification_after_registry_change();
CREATE TRIGGER member_identify_upd AFTER UPDATE ON member REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION identification_after_registry_change();
CREATE TRIGGER member_identify_del AFTER DELETE ON member REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION identification_after_registry_change();

-- ---- access ---------------------------------------------------------------------------------------------------
GRANT SELECT ON indicator_def_version, poverty_line, household_identification, identification_profile TO povmap_app;
GRANT SELECT, INSERT, DELETE ON identification_scenario TO povmap_app;
GRANT USAGE ON SEQUENCE identification_scenario_id_seq TO povmap_app;
REVOKE ALL ON FUNCTION identification_identify(integer, text[], bigint[]), identification_refresh_profile(text[]),
  identification_refresh_households(bigint[]), identification_refresh_all(), identification_rescore() FROM PUBLIC;
REVOKE ALL ON FUNCTION indicator_def_edit(text, jsonb, text), identification_default_update(double precision, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION indicator_def_edit(text, jsonb, text), identification_default_update(double precision, jsonb) TO povmap_app;

ALTER TABLE household_identification ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_identification FORCE ROW LEVEL SECURITY;
CREATE POLICY household_identification_in_scope ON household_identification FOR SELECT TO povmap_app
  USING (starts_with(village_code, (SELECT povmap_caller_scope('registry'))));
ALTER TABLE identification_profile ENABLE ROW LEVEL SECURITY;
ALTER TABLE identification_profile FORCE ROW LEVEL SECURITY;
CREATE POLICY identification_profile_in_scope ON identification_profile FOR SELECT TO povmap_app
  USING (starts_with(area_code, (SELECT povmap_caller_scope('aggregates'))));
ALTER TABLE identification_scenario ENABLE ROW LEVEL SECURITY;
ALTER TABLE identification_scenario FORCE ROW LEVEL SECURITY;
CREATE POLICY identification_scenario_read ON identification_scenario FOR SELECT TO povmap_app
  USING (is_default OR owner_id = (SELECT povmap_user_id())
         OR (shared AND starts_with((SELECT povmap_caller_scope('aggregates')), area_code)));
CREATE POLICY identification_scenario_save ON identification_scenario FOR INSERT TO povmap_app
  WITH CHECK (NOT is_default AND owner_id = (SELECT povmap_user_id()) AND starts_with(area_code, (SELECT povmap_caller_scope('aggregates'))));
CREATE POLICY identification_scenario_delete ON identification_scenario FOR DELETE TO povmap_app
  USING (NOT is_default AND owner_id = (SELECT povmap_user_id()));
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['household_identification', 'identification_profile', 'identification_scenario'] LOOP
    EXECUTE format('CREATE POLICY owner_all ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
  END LOOP;
END
$$;

-- Whatever registry a database already holds is identified now (an empty registry costs nothing).
SELECT identification_refresh_all();
