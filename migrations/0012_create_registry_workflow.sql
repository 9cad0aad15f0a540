-- The registry becomes writable (issue 16), only through reviewed change requests.
--
-- A village work team (or a township or county officer) proposes a change to a household: a new
-- household (新识别), field edits, exit (脱贫), return (返贫), removal (自然减少), members, assistance
-- measures. The request walks a review chain configured per kind in review_chain_step (not in code):
-- review and approval steps taken by a role at the household's level, and public notice periods (公示)
-- during which objections are recorded and must be resolved before the chain goes on. The last approval
-- applies the request in the same transaction: the registry rows change, the household's version grows by
-- one, household_history gets one row per field (before → after), the aggregates and tile versions move
-- (the triggers of migration 0003), and the server appends the audit entry.
--
-- The request role writes nothing directly: it reads the workflow tables under row-level security (its own
-- area, like the registry) and calls the SECURITY DEFINER functions below, which take the caller from the
-- session (migration 0009) and check role, area, state and version themselves. Errors they raise carry a
-- JSON message { field, en, zh } and a code the server maps to a status: PV400 (a value the database
-- refuses: ID number taken, location outside the village…), PV403 (a step the caller may not take),
-- PV404 (outside the caller's area), PV409 (stale version, or the request moved on).

-- ---- household: version, last change, outside-boundary flag -------------------------------------------------
ALTER TABLE household
  ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN outside_boundary_reason text CHECK (char_length(outside_boundary_reason) BETWEEN 1 AND 500);
COMMENT ON COLUMN household.version IS 'grows by one with each applied change request; a request based on another version is refused (409)';
COMMENT ON COLUMN household.updated_at IS 'when the last change request was applied (the load time for loaded households)';
COMMENT ON COLUMN household.outside_boundary_reason IS 'set: the household is kept outside its village outline on purpose, for this reason';
GRANT SELECT (version, updated_at, outside_boundary_reason) ON household TO povmap_app;

-- ID numbers are unique across the registry: checked on every proposal and again when applied.
CREATE INDEX member_id_number_idx ON member (id_number);
-- Members added by the application: ids far above the loaded ones (the generator counts from 1).
CREATE SEQUENCE member_app_id_seq START WITH 1000000000000;

-- ---- review chains: one row per step and kind ------------------------------------------------------------------
CREATE TABLE review_chain_step (
  kind text NOT NULL CHECK (kind IN ('household.create', 'household.update', 'household.exit', 'household.return', 'household.remove',
                                     'member.add', 'member.update', 'member.remove', 'measure.upsert')),
  no integer NOT NULL CHECK (no BETWEEN 1 AND 20),
  action text NOT NULL CHECK (action IN ('appraise', 'notice', 'review', 'approve')),
  role text NOT NULL CHECK (role IN ('village_team', 'township_officer', 'county_officer', 'prefecture_officer', 'province_admin')),
  notice_days integer CHECK (notice_days BETWEEN 0 AND 90),
  PRIMARY KEY (kind, no),
  CHECK (action = 'notice' OR notice_days IS NULL)
);
COMMENT ON TABLE review_chain_step IS 'The review chain of each kind of change request: steps in order; a notice step (公示) lasts notice_days, or NOTICE_DAYS when NULL, and is posted by its role''s village; the last step''s approval applies the request';
-- Default chains: the township reviews every change; identification, exit, return and removal also need the
-- county (两公示一公告 for identification and return, one notice for exit, none for a removal).
INSERT INTO review_chain_step (kind, no, action, role) VALUES
  ('household.update', 1, 'review', 'township_officer'),
  ('member.add', 1, 'review', 'township_officer'),
  ('member.update', 1, 'review', 'township_officer'),
  ('member.remove', 1, 'review', 'township_officer'),
  ('measure.upsert', 1, 'review', 'township_officer'),
  ('household.create', 1, 'notice', 'village_team'),
  ('household.create', 2, 'review', 'township_officer'),
  ('household.create', 3, 'notice', 'village_team'),
  ('household.create', 4, 'approve', 'county_officer'),
  ('household.return', 1, 'notice', 'village_team'),
  ('household.return', 2, 'review', 'township_officer'),
  ('household.return', 3, 'notice', 'village_team'),
  ('household.return', 4, 'approve', 'county_officer'),
  ('household.exit', 1, 'notice', 'village_team'),
  ('household.exit', 2, 'review', 'township_officer'),
  ('household.exit', 3, 'approve', 'county_officer'),
  ('household.remove', 1, 'review', 'township_officer'),
  ('household.remove', 2, 'approve', 'county_officer');
GRANT SELECT ON review_chain_step TO povmap_app;

-- ---- change requests -------------------------------------------------------------------------------------------
-- No foreign keys to household: a removal deletes the household and a data load replaces the registry;
-- requests, like the audit log, outlive them.
CREATE TABLE change_request (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('household.create', 'household.update', 'household.exit', 'household.return', 'household.remove',
                                     'member.add', 'member.update', 'member.remove', 'measure.upsert')),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rejected', 'withdrawn', 'applied')),
  household_id bigint,
  household_ref uuid,
  area_code text NOT NULL CHECK (area_code ~ '^[0-9]{12}$'),
  base_version integer,
  changes jsonb NOT NULL,
  changes_masked jsonb NOT NULL,
  reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
  attachments uuid[] NOT NULL DEFAULT '{}',
  proposed_by integer NOT NULL,
  proposed_by_username text NOT NULL,
  proposed_by_role text NOT NULL,
  proposed_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  round integer NOT NULL DEFAULT 1,
  current_step integer,
  notice_ends_at timestamptz,
  applied_at timestamptz,
  applied_version integer,
  before jsonb,
  CHECK ((kind = 'household.create') = (base_version IS NULL)),
  CHECK ((state = 'pending') = (current_step IS NOT NULL)),
  CHECK ((state = 'applied') = (applied_at IS NOT NULL))
);
CREATE INDEX change_request_area_idx ON change_request (area_code text_pattern_ops, state, id);
CREATE INDEX change_request_household_idx ON change_request (household_id) WHERE household_id IS NOT NULL;
CREATE INDEX change_request_proposer_idx ON change_request (proposed_by, id);
COMMENT ON TABLE change_request IS 'Proposed changes to the registry (变更申请), their review state and, once applied, the values they replaced; changes holds personal data in clear (the request role reads changes_masked only)';
COMMENT ON COLUMN change_request.area_code IS 'the household''s village: who may see and review the request';
COMMENT ON COLUMN change_request.round IS '1, then +1 at each resubmission after a rejection';
COMMENT ON COLUMN change_request.current_step IS 'pending: the step of review_chain_step it waits at';

CREATE TABLE change_request_step (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id integer NOT NULL REFERENCES change_request (id),
  round integer NOT NULL,
  no integer NOT NULL,
  action text NOT NULL CHECK (action IN ('appraise', 'notice', 'review', 'approve')),
  decision text NOT NULL CHECK (decision IN ('approved', 'rejected', 'noticed')),
  by_id integer,
  by_username text,
  by_role text,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  comment text CHECK (char_length(comment) <= 500),
  area_code text NOT NULL,
  -- A step is decided once per round: two reviewers approving at once cannot both pass it.
  UNIQUE (request_id, round, no),
  CHECK ((decision = 'noticed') = (by_id IS NULL))
);
COMMENT ON TABLE change_request_step IS 'Decisions taken on change requests, step by step and round by round; a notice period that passed is a row without a person';

CREATE TABLE change_request_objection (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id integer NOT NULL REFERENCES change_request (id),
  round integer NOT NULL,
  step_no integer NOT NULL,
  text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 1000),
  recorded_by integer NOT NULL,
  recorded_by_username text NOT NULL,
  recorded_by_role text NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  resolution text CHECK (char_length(resolution) BETWEEN 1 AND 1000),
  resolved_by integer,
  resolved_by_username text,
  resolved_by_role text,
  resolved_at timestamptz,
  area_code text NOT NULL,
  CHECK ((resolution IS NULL) = (resolved_at IS NULL))
);
CREATE INDEX change_request_objection_request_idx ON change_request_objection (request_id);
COMMENT ON TABLE change_request_objection IS 'Objections (异议) received during a public notice: the chain waits until each is resolved';

-- ---- household history -------------------------------------------------------------------------------------------
CREATE TABLE household_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  household_id bigint NOT NULL,
  household_ref uuid NOT NULL,
  area_code text NOT NULL,
  request_id integer NOT NULL REFERENCES change_request (id),
  kind text NOT NULL,
  version integer NOT NULL,
  at timestamptz NOT NULL,
  proposed_by text NOT NULL,
  steps jsonb NOT NULL,
  field text NOT NULL,
  before jsonb,
  after jsonb
);
CREATE INDEX household_history_ref_idx ON household_history (household_ref, id);
CREATE INDEX household_history_area_idx ON household_history (area_code text_pattern_ops);
COMMENT ON TABLE household_history IS 'One row per field changed by an applied request: who proposed, who decided each step and when, before and after (names, ID numbers and phones masked)';

-- ---- assistance measures (帮扶计划) --------------------------------------------------------------------------------
CREATE TABLE assistance_measure (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  household_id bigint NOT NULL,
  village_code text NOT NULL,
  family text NOT NULL CHECK (family IN ('industry', 'employment', 'relocation', 'education', 'health', 'housing_renovation', 'eco_compensation', 'social_security', 'finance', 'other')),
  title text CHECK (char_length(title) BETWEEN 1 AND 100),
  cadre text NOT NULL CHECK (char_length(cadre) BETWEEN 1 AND 40),
  amount_yuan double precision NOT NULL CHECK (amount_yuan >= 0),
  start_date date NOT NULL,
  target_date date NOT NULL,
  status text NOT NULL CHECK (status IN ('planned', 'under_way', 'done', 'dropped')),
  notes jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (target_date >= start_date)
);
CREATE INDEX assistance_measure_household_idx ON assistance_measure (household_id);
CREATE INDEX assistance_measure_village_idx ON assistance_measure (village_code text_pattern_ops);
COMMENT ON TABLE assistance_measure IS '帮扶计划: measures of a household by family, with the responsible cadre (帮扶责任人), amount, dates, status and progress notes; changed only by applied change requests';

-- ---- row-level security: the registry roles of the area read; nobody writes but the functions -----------------------
DO $$
DECLARE
  t text;
  cols text;
BEGIN
  FOREACH t IN ARRAY ARRAY['change_request', 'change_request_step', 'change_request_objection', 'household_history', 'assistance_measure'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO povmap_app USING (starts_with(%I, (SELECT povmap_caller_scope(''registry''))))',
                   t || '_in_scope', t, CASE WHEN t = 'assistance_measure' THEN 'village_code' ELSE 'area_code' END);
    EXECUTE format('CREATE POLICY owner_all ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
    IF t <> 'change_request' THEN
      EXECUTE format('GRANT SELECT ON %I TO povmap_app', t);
    END IF;
  END LOOP;
  -- The proposed values in clear stay with the owner's functions: the request role reads the masked copy.
  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
  FROM pg_attribute WHERE attrelid = 'change_request'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'changes';
  EXECUTE format('GRANT SELECT (%s) ON change_request TO povmap_app', cols);
END
$$;

-- ---- aggregates kept by deltas ----------------------------------------------------------------------------------
-- Migration 0003 kept household_agg current by rebuilding, on every UPDATE of household or household_year, the
-- rows of the changed villages and of every area above them up to the province from the level below: at the demo
-- scale that rewrote some 6,000 rows and took about a second per change, and two rebuilds at once could count a
-- township twice. Now a change adds its difference instead: minus the old rows' contributions, plus the new ones',
-- at the five levels, under one lock. The full rebuild (refresh_household_agg() without villages, run by loads)
-- is unchanged; it gives the same rows (tests/server/registry/workflow.test.ts compares them).
--
-- d: [{ village_code, year, status, main_cause, gaps, dh, dp }], the households and people to add (negative to take away).
CREATE FUNCTION povmap_agg_delta(d jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF d IS NULL OR jsonb_array_length(d) = 0 THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('povmap.household_agg'));
  -- Existing keys are updated, new ones inserted (one statement: the two sets are disjoint), emptied ones deleted.
  WITH x AS (
    SELECT left(r.village_code, l.n) AS area_code, l.level, r.year, r.status, r.main_cause, r.gaps, sum(r.dh)::int AS dh, sum(r.dp)::int AS dp
    FROM jsonb_to_recordset(d) AS r(village_code text, year integer, status text, main_cause text, gaps integer, dh integer, dp integer)
    CROSS JOIN (VALUES (12, 'village'), (9, 'township'), (6, 'county'), (4, 'prefecture'), (2, 'province')) AS l(n, level)
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(r.dh) <> 0 OR sum(r.dp) <> 0
  ), updated AS (
    UPDATE household_agg a SET households = a.households + x.dh, people = a.people + x.dp
    FROM x
    WHERE a.area_code = x.area_code AND a.year = x.year AND a.status = x.status AND a.main_cause = x.main_cause AND a.gaps = x.gaps
    RETURNING a.area_code
  )
  INSERT INTO household_agg (area_code, level, year, status, main_cause, gaps, households, people)
  SELECT x.area_code, x.level, x.year, x.status, x.main_cause, x.gaps, x.dh, x.dp
  FROM x
  WHERE NOT EXISTS (SELECT 1 FROM household_agg a WHERE a.area_code = x.area_code AND a.year = x.year AND a.status = x.status AND a.main_cause = x.main_cause AND a.gaps = x.gaps);
  DELETE FROM household_agg a
  WHERE a.households = 0
    AND a.area_code = ANY (ARRAY(SELECT DISTINCT left(r.village_code, n) FROM jsonb_to_recordset(d) AS r(village_code text), unnest(ARRAY[12, 9, 6, 4, 2]) AS n));
END
$$;

-- A household's contributions (all its years, or one), added (p_sign 1) or taken away (-1): inserts and deletes,
-- which fire no aggregate trigger.
CREATE FUNCTION povmap_agg_household(p_household bigint, p_sign integer, p_year integer DEFAULT NULL) RETURNS void LANGUAGE sql AS $$
  SELECT povmap_agg_delta((
    SELECT jsonb_agg(jsonb_build_object('village_code', h.village_code, 'year', y.year, 'status', y.status, 'main_cause', h.main_cause,
      'gaps', assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok), 'dh', p_sign, 'dp', p_sign * h.size))
    FROM household h JOIN household_year y ON y.household_id = h.id
    WHERE h.id = p_household AND (p_year IS NULL OR y.year = p_year)))
$$;

-- Transition tables have no statistics: the = ANY (ARRAY(…)) conditions let the planner probe the other table's
-- index for just the changed households instead of hashing all of it (seconds at the demo scale).
-- UPDATE of household_year: its rows' years, statuses and gaps, with the household's village, cause and size as
-- they are (a household that moves is counted by the household trigger below).
CREATE OR REPLACE FUNCTION household_year_refresh_agg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM povmap_agg_delta((
    SELECT jsonb_agg(jsonb_build_object('village_code', z.village_code, 'year', z.year, 'status', z.status, 'main_cause', z.main_cause, 'gaps', z.gaps, 'dh', z.dh, 'dp', z.dp))
    FROM (
      SELECT h.village_code, o.year, o.status, h.main_cause, assurance_gaps(o.food_clothing_ok, o.education_ok, o.medical_ok, o.housing_ok, o.water_ok) AS gaps, -1 AS dh, -h.size AS dp
      FROM old_rows o JOIN household h ON h.id = o.household_id AND h.id = ANY (ARRAY(SELECT household_id FROM old_rows))
      UNION ALL
      SELECT h.village_code, n.year, n.status, h.main_cause, assurance_gaps(n.food_clothing_ok, n.education_ok, n.medical_ok, n.housing_ok, n.water_ok), 1, h.size
      FROM new_rows n JOIN household h ON h.id = n.household_id AND h.id = ANY (ARRAY(SELECT household_id FROM new_rows))
    ) z));
  RETURN NULL;
END
$$;

-- UPDATE of household: its village, main cause and size, with its years as they are.
CREATE OR REPLACE FUNCTION household_refresh_agg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM povmap_agg_delta((
    SELECT jsonb_agg(jsonb_build_object('village_code', z.village_code, 'year', z.year, 'status', z.status, 'main_cause', z.main_cause, 'gaps', z.gaps, 'dh', z.dh, 'dp', z.dp))
    FROM (
      SELECT o.village_code, y.year, y.status, o.main_cause, assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok) AS gaps, -1 AS dh, -o.size AS dp
      FROM old_rows o JOIN household_year y ON y.household_id = o.id AND y.household_id = ANY (ARRAY(SELECT id FROM old_rows))
      UNION ALL
      SELECT n.village_code, y.year, y.status, n.main_cause, assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok), 1, n.size
      FROM new_rows n JOIN household_year y ON y.household_id = n.id AND y.household_id = ANY (ARRAY(SELECT id FROM new_rows))
    ) z
    -- Only households whose counted fields changed: the others add and take away the same.
    WHERE EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE (o.village_code, o.main_cause, o.size) IS DISTINCT FROM (n.village_code, n.main_cause, n.size))));
  RETURN NULL;
END
$$;

-- ---- helpers -------------------------------------------------------------------------------------------------------
-- A refusal the server turns into a status (PV400, PV403, PV404, PV409) and, for PV400, a field message.
CREATE FUNCTION povmap_cr_fail(p_code text, p_field text, p_en text, p_zh text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', json_build_object('field', p_field, 'en', p_en, 'zh', p_zh)::text USING ERRCODE = p_code;
END
$$;

-- Household fields by API name (domain/registry/changes.ts): the columns a request may write.
CREATE FUNCTION povmap_cr_fields() RETURNS TABLE (api text, col text, tbl text) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  VALUES ('attribute', 'attribute', 'household'), ('identificationStandard', 'identification_standard', 'household'),
         ('mainCause', 'main_cause', 'household'), ('otherCauses', 'other_causes', 'household'), ('phone', 'phone', 'household'),
         ('housingAreaM2', 'housing_area_m2', 'household'), ('housingStructure', 'housing_structure', 'household'),
         ('housingSafety', 'housing_safety', 'household'), ('relocated', 'relocated', 'household'), ('waterSource', 'water_source', 'household'),
         ('waterDifficulty', 'water_difficulty', 'household'), ('cookingFuel', 'cooking_fuel', 'household'), ('roadHardened', 'road_hardened', 'household'),
         ('kmToMarket', 'km_to_market', 'household'), ('landPaddyMu', 'land_paddy_mu', 'household'), ('landDryMu', 'land_dry_mu', 'household'),
         ('landForestMu', 'land_forest_mu', 'household'), ('size', 'size', 'household'),
         ('incomePerCapita', 'income_per_capita', 'year'), ('foodClothingOk', 'food_clothing_ok', 'year'), ('educationOk', 'education_ok', 'year'),
         ('medicalOk', 'medical_ok', 'year'), ('housingOk', 'housing_ok', 'year'), ('waterOk', 'water_ok', 'year'),
         ('name', 'name', 'member'), ('sex', 'sex', 'member'), ('idNumber', 'id_number', 'member'), ('relation', 'relation', 'member'),
         ('ethnicity', 'ethnicity', 'member'), ('birthYear', 'birth_year', 'member'), ('schooling', 'schooling', 'member'),
         ('inSchool', 'in_school', 'member'), ('health', 'health', 'member'), ('labour', 'labour', 'member'),
         ('migrantMonths', 'migrant_months', 'member'), ('dibao', 'dibao', 'member'), ('wubao', 'wubao', 'member'),
         ('medicalInsurance', 'medical_insurance', 'member'), ('pension', 'pension', 'member')
$$;

-- A household's current values by API name, in `year` (default its latest), personal fields masked. Runs as
-- the caller: the request role gets only what row-level security shows it.
CREATE FUNCTION povmap_cr_values(p_household bigint, p_year integer DEFAULT NULL) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'ref', h.ref, 'version', h.version, 'villageCode', h.village_code,
    'location', jsonb_build_array(round(ST_X(h.geom)::numeric, 6), round(ST_Y(h.geom)::numeric, 6)),
    'outsideBoundary', CASE WHEN h.outside_boundary_reason IS NULL THEN NULL ELSE jsonb_build_object('reason', h.outside_boundary_reason) END,
    'size', h.size, 'members', (SELECT count(*) FROM member m WHERE m.household_id = h.id),
    'attribute', h.attribute, 'identificationStandard', h.identification_standard, 'registeredYear', h.registered_year,
    'mainCause', h.main_cause, 'otherCauses', to_jsonb(h.other_causes), 'phone', h.phone_masked,
    'housingAreaM2', h.housing_area_m2, 'housingStructure', h.housing_structure, 'housingSafety', h.housing_safety, 'relocated', h.relocated,
    'waterSource', h.water_source, 'waterDifficulty', h.water_difficulty, 'cookingFuel', h.cooking_fuel, 'roadHardened', h.road_hardened,
    'kmToMarket', h.km_to_market, 'landPaddyMu', h.land_paddy_mu, 'landDryMu', h.land_dry_mu, 'landForestMu', h.land_forest_mu,
    'year', y.year, 'status', y.status, 'incomePerCapita', y.income_per_capita,
    'foodClothingOk', y.food_clothing_ok, 'educationOk', y.education_ok, 'medicalOk', y.medical_ok, 'housingOk', y.housing_ok, 'waterOk', y.water_ok,
    'updatedAt', to_char(h.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
  FROM household h
  LEFT JOIN household_year y ON y.household_id = h.id
    AND y.year = COALESCE(p_year, (SELECT max(x.year) FROM household_year x WHERE x.household_id = h.id))
  WHERE h.id = p_household
$$;
GRANT EXECUTE ON FUNCTION povmap_cr_values(bigint, integer) TO povmap_app;

-- A member by API name, name and ID number masked (history rows).
CREATE FUNCTION povmap_cr_member_json(m member) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('name', povmap_mask_name(m.name), 'sex', m.sex, 'idNumber', povmap_mask_id_number(m.id_number), 'relation', m.relation,
    'ethnicity', m.ethnicity, 'birthYear', m.birth_year, 'schooling', m.schooling, 'inSchool', m.in_school, 'health', m.health, 'labour', m.labour,
    'migrantMonths', m.migrant_months, 'dibao', m.dibao, 'wubao', m.wubao, 'medicalInsurance', m.medical_insurance, 'pension', m.pension)
$$;

-- A changes object by API name → the same keys by column, for one table (jsonb_populate_record takes it).
CREATE FUNCTION povmap_cr_columns(p_changes jsonb, p_tbl text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT COALESCE(jsonb_object_agg(f.col, e.value), '{}'::jsonb)
  FROM jsonb_each(p_changes) e JOIN povmap_cr_fields() f ON f.api = e.key AND f.tbl = p_tbl
$$;

-- The signed-in caller of a registry role (second factor done), or PV403.
CREATE FUNCTION povmap_cr_caller(OUT user_id integer, OUT username text, OUT role text, OUT scope text) LANGUAGE plpgsql AS $$
BEGIN
  SELECT c.user_id, c.username, c.role, c.scope INTO user_id, username, role, scope FROM povmap_session_caller() c WHERE c.factor_ok;
  IF NOT FOUND OR role NOT IN ('province_admin', 'prefecture_officer', 'county_officer', 'township_officer', 'village_team') THEN
    PERFORM povmap_cr_fail('PV403', NULL, 'this role does not work with the registry', '该角色不能办理扶贫对象变更');
  END IF;
END
$$;

-- The member at position p_no (1-based, by id: the `no` of the members list) of a household, or NULL.
CREATE FUNCTION povmap_cr_member_id(p_household bigint, p_no integer) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT id FROM member WHERE household_id = p_household ORDER BY id OFFSET greatest(p_no, 1) - 1 LIMIT 1
$$;

-- What the database checks of a request's changes (the rest is domain/registry/validation.ts, before any SQL):
-- ID numbers unique, location inside the village unless flagged, size = members, member and measure
-- numbers that exist, and a status that the exit or return can leave.
CREATE FUNCTION povmap_cr_check(p_kind text, p_household bigint, p_area text, c jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_member bigint;
  v_count integer;
  v_status text;
  v_year integer;
  i integer;
  m jsonb;
BEGIN
  IF c ? 'location' AND jsonb_typeof(c -> 'outsideBoundary') IS DISTINCT FROM 'object' THEN
    IF NOT EXISTS (SELECT 1 FROM admin_area a WHERE a.code = p_area
                   AND ST_Covers(a.geom, ST_SetSRID(ST_MakePoint((c -> 'location' ->> 0)::float8, (c -> 'location' ->> 1)::float8), 4326))) THEN
      PERFORM povmap_cr_fail('PV400', 'changes.location', 'the location lies outside the household''s village: correct it, or mark it outside the boundary with a reason',
                             '户位置不在所属村界内：请改正位置，或注明“村界外”及原因');
    END IF;
  END IF;
  IF p_kind = 'household.create' THEN
    FOR i IN 0 .. jsonb_array_length(c -> 'members') - 1 LOOP
      IF EXISTS (SELECT 1 FROM member WHERE id_number = c -> 'members' -> i ->> 'idNumber') THEN
        PERFORM povmap_cr_fail('PV400', format('changes.members[%s].idNumber', i), 'this ID number is already in the registry', '身份证号已在扶贫对象库中登记');
      END IF;
    END LOOP;
    RETURN;
  END IF;
  SELECT count(*) INTO v_count FROM member WHERE household_id = p_household;
  IF c ? 'size' AND (c ->> 'size')::int <> v_count THEN
    PERFORM povmap_cr_fail('PV400', 'changes.size', format('the size must equal the %s registered members', v_count), format('家庭人口数应等于已登记的 %s 名成员', v_count));
  END IF;
  IF p_kind IN ('household.exit', 'household.return') THEN
    v_year := COALESCE((c ->> 'year')::int, (SELECT max(year) FROM household_year WHERE household_id = p_household));
    SELECT status INTO v_status FROM household_year WHERE household_id = p_household AND year = v_year;
    IF p_kind = 'household.exit' AND v_status IS DISTINCT FROM 'poor' AND v_status IS DISTINCT FROM 'returned' THEN
      PERFORM povmap_cr_fail('PV400', 'kind', format('the household is not poor in %s: nothing to exit', v_year), format('该户 %s 年不是未脱贫户，不能申请脱贫', v_year));
    ELSIF p_kind = 'household.return' AND v_status IS DISTINCT FROM 'lifted' THEN
      PERFORM povmap_cr_fail('PV400', 'kind', format('the household is not lifted out in %s: it cannot return', v_year), format('该户 %s 年不是已脱贫户，不能申请返贫', v_year));
    END IF;
  ELSIF p_kind = 'member.add' THEN
    IF v_count >= 20 THEN
      PERFORM povmap_cr_fail('PV400', 'changes.member', 'a household has at most 20 members', '家庭成员最多 20 人');
    END IF;
    IF EXISTS (SELECT 1 FROM member WHERE id_number = c -> 'member' ->> 'idNumber') THEN
      PERFORM povmap_cr_fail('PV400', 'changes.member.idNumber', 'this ID number is already in the registry', '身份证号已在扶贫对象库中登记');
    END IF;
  ELSIF p_kind IN ('member.update', 'member.remove') THEN
    v_member := povmap_cr_member_id(p_household, (c ->> 'memberNo')::int);
    IF v_member IS NULL OR (c ->> 'memberNo')::int > v_count THEN
      PERFORM povmap_cr_fail('PV400', 'changes.memberNo', 'no member with this number', '没有该序号的家庭成员');
    END IF;
    IF p_kind = 'member.remove' AND v_count <= 1 THEN
      PERFORM povmap_cr_fail('PV400', 'changes.memberNo', 'the last member cannot be removed: remove the household instead', '不能删除最后一名成员，请改为申请户减少');
    END IF;
    IF c ? 'idNumber' AND EXISTS (SELECT 1 FROM member WHERE id_number = c ->> 'idNumber' AND id <> v_member) THEN
      PERFORM povmap_cr_fail('PV400', 'changes.idNumber', 'this ID number is already in the registry', '身份证号已在扶贫对象库中登记');
    END IF;
  ELSIF p_kind = 'measure.upsert' AND c ? 'measureId' THEN
    IF NOT EXISTS (SELECT 1 FROM assistance_measure WHERE id = (c ->> 'measureId')::int AND household_id = p_household) THEN
      PERFORM povmap_cr_fail('PV400', 'changes.measureId', 'the household has no measure with this id', '该户没有此帮扶措施');
    END IF;
  END IF;
END
$$;

-- Puts a pending request at step p_no; a notice step starts its period now.
CREATE FUNCTION povmap_cr_enter_step(p_id integer, p_no integer, p_notice_days integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s review_chain_step;
  r change_request;
BEGIN
  SELECT * INTO r FROM change_request WHERE id = p_id;
  SELECT * INTO s FROM review_chain_step WHERE kind = r.kind AND no = p_no;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'review chain of % has no step %', r.kind, p_no;
  END IF;
  UPDATE change_request SET current_step = p_no, updated_at = now(),
    notice_ends_at = CASE WHEN s.action = 'notice' THEN now() + make_interval(days => COALESCE(s.notice_days, p_notice_days)) END
  WHERE id = p_id;
END
$$;

CREATE FUNCTION povmap_cr_history(r change_request, p_household bigint, p_ref uuid, p_version integer, p_steps jsonb, p_field text, p_before jsonb, p_after jsonb)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO household_history (household_id, household_ref, area_code, request_id, kind, version, at, proposed_by, steps, field, before, after)
  VALUES (p_household, p_ref, r.area_code, r.id, r.kind, p_version, now(), r.proposed_by_username, p_steps, p_field,
          CASE WHEN p_before = 'null'::jsonb THEN NULL ELSE p_before END, CASE WHEN p_after = 'null'::jsonb THEN NULL ELSE p_after END)
$$;

-- Applies an approved request (its row locked by the caller): registry rows, version, history, aggregates.
CREATE FUNCTION povmap_cr_apply(p_id integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r change_request;
  c jsonb;
  h household;
  hn household;
  yr household_year;
  mr member;
  ms assistance_measure;
  v_steps jsonb;
  v_year integer;
  v_before jsonb;
  v_after jsonb;
  v_hid bigint;
  v_ref uuid;
  v_version integer;
  v_member bigint;
  v_no integer;
  v_ypatch jsonb;
  k text;
  i integer;
  m jsonb;
BEGIN
  SELECT * INTO r FROM change_request WHERE id = p_id;
  c := r.changes;
  -- One apply at a time: it makes the ID-number check below race-free (and the aggregates' deltas wait for
  -- each other anyway).
  PERFORM pg_advisory_xact_lock(hashtext('povmap.registry.apply'));
  SELECT COALESCE(jsonb_agg(jsonb_build_object('no', s.no, 'action', s.action, 'by', s.by_username, 'at', to_char(s.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'comment', s.comment) ORDER BY s.no), '[]')
  INTO v_steps FROM change_request_step s WHERE s.request_id = r.id AND s.round = r.round;

  IF r.kind = 'household.create' THEN
    PERFORM povmap_cr_check(r.kind, NULL, r.area_code, c);
    v_year := (c ->> 'year')::int;
    INSERT INTO household (village_code, geom, size, identification_standard, attribute, main_cause, other_causes, phone, registered_year,
      housing_area_m2, housing_structure, housing_safety, relocated, water_source, water_difficulty, cooking_fuel, road_hardened, km_to_market,
      land_paddy_mu, land_dry_mu, land_forest_mu, outside_boundary_reason, version, updated_at)
    VALUES (r.area_code, ST_SetSRID(ST_MakePoint((c -> 'location' ->> 0)::float8, (c -> 'location' ->> 1)::float8), 4326), jsonb_array_length(c -> 'members'),
      c ->> 'identificationStandard', c ->> 'attribute', c ->> 'mainCause', COALESCE(ARRAY(SELECT jsonb_array_elements_text(c -> 'otherCauses')), '{}'),
      c ->> 'phone', v_year, (c ->> 'housingAreaM2')::float8, c ->> 'housingStructure', c ->> 'housingSafety', COALESCE((c ->> 'relocated')::boolean, false),
      c ->> 'waterSource', COALESCE((c ->> 'waterDifficulty')::boolean, false), c ->> 'cookingFuel', COALESCE((c ->> 'roadHardened')::boolean, false),
      (c ->> 'kmToMarket')::float8, (c ->> 'landPaddyMu')::float8, (c ->> 'landDryMu')::float8, (c ->> 'landForestMu')::float8,
      c -> 'outsideBoundary' ->> 'reason', 1, now())
    RETURNING id, ref INTO v_hid, v_ref;
    INSERT INTO household_year (household_id, year, status, income_per_capita, food_clothing_ok, education_ok, medical_ok, housing_ok, water_ok, village_code)
    VALUES (v_hid, v_year, 'poor', (c ->> 'incomePerCapita')::float8, COALESCE((c ->> 'foodClothingOk')::boolean, true), COALESCE((c ->> 'educationOk')::boolean, true),
      COALESCE((c ->> 'medicalOk')::boolean, true), COALESCE((c ->> 'housingOk')::boolean, true), COALESCE((c ->> 'waterOk')::boolean, true), r.area_code);
    FOR i IN 0 .. jsonb_array_length(c -> 'members') - 1 LOOP
      m := c -> 'members' -> i;
      INSERT INTO member (id, household_id, name, sex, id_number, relation, ethnicity, birth_year, schooling, in_school, health, labour,
        migrant_months, dibao, wubao, medical_insurance, pension)
      VALUES (nextval('member_app_id_seq'), v_hid, m ->> 'name', m ->> 'sex', m ->> 'idNumber', m ->> 'relation', m ->> 'ethnicity',
        COALESCE((m ->> 'birthYear')::int, substr(m ->> 'idNumber', 7, 4)::int), m ->> 'schooling', m ->> 'inSchool', m ->> 'health', m ->> 'labour',
        COALESCE((m ->> 'migrantMonths')::int, 0), COALESCE((m ->> 'dibao')::boolean, false), COALESCE((m ->> 'wubao')::boolean, false),
        COALESCE((m ->> 'medicalInsurance')::boolean, true), COALESCE((m ->> 'pension')::boolean, false))
      RETURNING * INTO mr;
      PERFORM povmap_cr_history(r, v_hid, v_ref, 1, v_steps, format('members[%s]', i + 1), NULL, povmap_cr_member_json(mr));
    END LOOP;
    v_after := povmap_cr_values(v_hid, v_year);
    FOR k IN SELECT key FROM jsonb_each(c) WHERE key NOT IN ('members', 'year', 'size') ORDER BY key LOOP
      PERFORM povmap_cr_history(r, v_hid, v_ref, 1, v_steps, CASE WHEN k IN (SELECT api FROM povmap_cr_fields() WHERE tbl = 'year') THEN format('year.%s.%s', v_year, k) ELSE k END,
                                NULL, v_after -> k);
    END LOOP;
    PERFORM povmap_cr_history(r, v_hid, v_ref, 1, v_steps, format('year.%s.status', v_year), NULL, '"poor"');
    PERFORM povmap_agg_household(v_hid, 1);
    UPDATE change_request SET state = 'applied', current_step = NULL, notice_ends_at = NULL, applied_at = now(), applied_version = 1,
      household_id = v_hid, household_ref = v_ref, updated_at = now() WHERE id = r.id;
    RETURN;
  END IF;

  SELECT * INTO h FROM household WHERE id = r.household_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM povmap_cr_fail('PV409', NULL, 'the household is no longer in the registry', '该户已不在扶贫对象库中');
  END IF;
  IF h.version <> r.base_version THEN
    PERFORM povmap_cr_fail('PV409', 'baseVersion', format('the household changed since this request was made (version %s, now %s)', r.base_version, h.version),
                           format('该户信息已更新（申请基于第 %s 版，现为第 %s 版）', r.base_version, h.version));
  END IF;
  PERFORM povmap_cr_check(r.kind, h.id, h.village_code, c);
  v_version := h.version + 1;
  v_year := COALESCE((c ->> 'year')::int, (SELECT max(year) FROM household_year WHERE household_id = h.id));
  v_before := povmap_cr_values(h.id, v_year);

  IF r.kind = 'household.remove' THEN
    DELETE FROM assistance_measure WHERE household_id = h.id;
    PERFORM povmap_agg_household(h.id, -1);
    DELETE FROM household WHERE id = h.id;
    PERFORM povmap_cr_history(r, h.id, h.ref, v_version, v_steps, 'household', v_before, NULL);
    PERFORM povmap_cr_history(r, h.id, h.ref, v_version, v_steps, 'removalReason', NULL, c -> 'removalReason');
    UPDATE change_request SET state = 'applied', current_step = NULL, notice_ends_at = NULL, applied_at = now(), applied_version = v_version,
      before = v_before, updated_at = now() WHERE id = r.id;
    RETURN;
  END IF;

  -- The registry year: the fields of household_year, and the status of an exit or a return.
  v_ypatch := povmap_cr_columns(c, 'year')
    || CASE r.kind WHEN 'household.exit' THEN '{"status": "lifted"}'::jsonb WHEN 'household.return' THEN '{"status": "returned"}'::jsonb ELSE '{}'::jsonb END;
  IF v_ypatch <> '{}'::jsonb THEN
    SELECT * INTO yr FROM household_year WHERE household_id = h.id AND year = v_year FOR UPDATE;
    IF FOUND THEN
      yr := jsonb_populate_record(yr, v_ypatch);
      UPDATE household_year SET status = yr.status, income_per_capita = yr.income_per_capita, food_clothing_ok = yr.food_clothing_ok,
        education_ok = yr.education_ok, medical_ok = yr.medical_ok, housing_ok = yr.housing_ok, water_ok = yr.water_ok
      WHERE household_id = h.id AND year = v_year;
    ELSE
      -- A year the household has no row for yet: its latest year carried forward, with the changes.
      SELECT * INTO yr FROM household_year WHERE household_id = h.id ORDER BY year DESC LIMIT 1;
      yr := jsonb_populate_record(yr, v_ypatch || jsonb_build_object('year', v_year));
      INSERT INTO household_year SELECT yr.*;
      PERFORM povmap_agg_household(h.id, 1, v_year);
    END IF;
  END IF;

  -- The household row: its fields, members' count, location; always its version.
  hn := jsonb_populate_record(h, povmap_cr_columns(c - 'size', 'household'));
  IF r.kind = 'member.add' THEN
    m := c -> 'member';
    INSERT INTO member (id, household_id, name, sex, id_number, relation, ethnicity, birth_year, schooling, in_school, health, labour,
      migrant_months, dibao, wubao, medical_insurance, pension)
    VALUES (nextval('member_app_id_seq'), h.id, m ->> 'name', m ->> 'sex', m ->> 'idNumber', m ->> 'relation', m ->> 'ethnicity',
      COALESCE((m ->> 'birthYear')::int, substr(m ->> 'idNumber', 7, 4)::int), m ->> 'schooling', m ->> 'inSchool', m ->> 'health', m ->> 'labour',
      COALESCE((m ->> 'migrantMonths')::int, 0), COALESCE((m ->> 'dibao')::boolean, false), COALESCE((m ->> 'wubao')::boolean, false),
      COALESCE((m ->> 'medicalInsurance')::boolean, true), COALESCE((m ->> 'pension')::boolean, false))
    RETURNING * INTO mr;
    hn.size := h.size + 1;
    PERFORM povmap_cr_history(r, h.id, h.ref, v_version, v_steps, format('members[%s]', h.size + 1), NULL, povmap_cr_member_json(mr));
    PERFORM povmap_cr_history(r, h.id, h.ref, v_version, v_steps, 'size', to_jsonb(h.size), to_jsonb(h.size + 1));
  ELSIF r.kind = 'member.update' THEN
    v_no := (c ->> 'memberNo')::int;
    v_member := povmap_cr_member_id(h.id, v_no);
    SELECT * INTO mr FROM member WHERE id = v_member;
    v_before := povmap_cr_member_json(mr);
    mr := jsonb_populate_record(mr, povmap_cr_columns(c - 'memberNo', 'member'));
    UPDATE member SET name = mr.name, sex = mr.sex, id_number = mr.id_number, relation = mr.relation, ethnicity = mr.ethnicity, birth_year = mr.birth_year,
      schooling = mr.schooling, in_school = mr.in_school, health = mr.health, labour = mr.labour, migrant_months = mr.migrant_months, dibao = mr.dibao,
      wubao = mr.wubao, medical_insurance = mr.medical_insurance, pension = mr.pension
    WHERE id = v_member;
    v_after := povmap_cr_member_json(mr);
    FOR k IN SELECT key FROM jsonb_each(c) WHERE key <> 'memberNo' ORDER BY key LOOP
      PERFORM povmap_cr_history(r, h.id, h.ref, v_version, v_steps, format('members[%s].%s', v_no, k), v_before -> k, v_after -> k);
    END LOOP;
  ELSIF r.kind = 'member.remove' THEN
    v_no := (c ->> 'memberNo')::int;
    v_member := povmap_cr_member_id(h.id, v_no);
    SELECT * INTO mr FROM member WHERE id = v_member;
    DELETE FROM member WHERE id = v_member;
    hn.size := h.size - 1;
    PERFORM povmap_cr_history(r, h.id, h.ref, v_version, v_steps, format('members[%s]', v_no), povmap_cr_member_json(mr), NULL);
    PERFORM povmap_cr_history(r, h.id, h.ref, v_version, v_steps, 'size', to_jsonb(h.size), to_jsonb(h.size - 1));
  ELSIF r.kind = 'measure.upsert' THEN
    IF c ? 'measureId' THEN
      SELECT * INTO ms FROM assistance_measure WHERE id = (c ->> 'measureId')::int FOR UPDATE;
      v_before := jsonb_build_object('family', ms.family, 'title', ms.title, 'cadre', ms.cadre, 'amountYuan', ms.amount_yuan,
        'startDate', ms.start_date, 'targetDate', ms.target_date, 'status', ms.status);
      UPDATE assistance_measure SET family = c ->> 'family', title = COALESCE(c ->> 'title', title), cadre = c ->> 'cadre', amount_yuan = (c ->> 'amountYuan')::float8,
        start_date = (c ->> 'startDate')::date, target_date = (c ->> 'targetDate')::date, status = c ->> 'status', updated_at = now(),
        notes = CASE WHEN c ? 'note' THEN notes || jsonb_build_array(jsonb_build_object('at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'by', r.proposed_by_username, 'text', c ->> 'note')) ELSE notes END
      WHERE id = ms.id RETURNING * INTO ms;
    ELSE
      v_before := '{}'::jsonb;
      INSERT INTO assistance_measure (household_id, village_code, family, title, cadre, amount_yuan, start_date, target_date, status, notes)
      VALUES (h.id, h.village_code, c ->> 'family', c ->> 'title', c ->> 'cadre', (c ->> 'amountYuan')::float8, (c ->> 'startDate')::date, (c ->> 'targetDate')::date,
        c ->> 'status', CASE WHEN c ? 'note' THEN jsonb_build_array(jsonb_build_object('at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'by', r.proposed_by_username, 'text', c ->> 'note')) ELSE '[]'::jsonb END)
      RETURNING * INTO ms;
    END IF;
    v_after := jsonb_build_object('family', ms.family, 'title', ms.title, 'cadre', ms.cadre, 'amountYuan', ms.amount_yuan,
      'startDate', ms.start_date, 'targetDate', ms.target_date, 'status', ms.status, 'note', c -> 'note');
    FOR k IN SELECT key FROM jsonb_each(c) WHERE key <> 'measureId' ORDER BY key LOOP
      PERFORM povmap_cr_history(r, h.id, h.ref, v_version, v_steps, format('measures[%s].%s', ms.id, k), v_before -> k, v_after -> k);
    END LOOP;
  END IF;

  UPDATE household SET attribute = hn.attribute, identification_standard = hn.identification_standard, main_cause = hn.main_cause,
    other_causes = hn.other_causes, phone = hn.phone, housing_area_m2 = hn.housing_area_m2, housing_structure = hn.housing_structure,
    housing_safety = hn.housing_safety, relocated = hn.relocated, water_source = hn.water_source, water_difficulty = hn.water_difficulty,
    cooking_fuel = hn.cooking_fuel, road_hardened = hn.road_hardened, km_to_market = hn.km_to_market, land_paddy_mu = hn.land_paddy_mu,
    land_dry_mu = hn.land_dry_mu, land_forest_mu = hn.land_forest_mu, size = hn.size,
    geom = CASE WHEN c ? 'location' THEN ST_SetSRID(ST_MakePoint((c -> 'location' ->> 0)::float8, (c -> 'location' ->> 1)::float8), 4326) ELSE geom END,
    outside_boundary_reason = CASE WHEN c ? 'outsideBoundary' THEN c -> 'outsideBoundary' ->> 'reason' WHEN c ? 'location' THEN NULL ELSE outside_boundary_reason END,
    version = v_version, updated_at = now()
  WHERE id = h.id;

  IF r.kind IN ('household.update', 'household.exit', 'household.return') THEN
    v_after := povmap_cr_values(h.id, v_year);
    FOR k IN SELECT key FROM jsonb_each(c) WHERE key NOT IN ('year', 'note') ORDER BY key LOOP
      PERFORM povmap_cr_history(r, h.id, h.ref, v_version, v_steps,
        CASE WHEN k IN (SELECT api FROM povmap_cr_fields() WHERE tbl = 'year') THEN format('year.%s.%s', v_year, k) ELSE k END, v_before -> k, v_after -> k);
    END LOOP;
    IF r.kind <> 'household.update' THEN
      PERFORM povmap_cr_history(r, h.id, h.ref, v_version, v_steps, format('year.%s.status', v_year), v_before -> 'status', v_after -> 'status');
    END IF;
  END IF;
  UPDATE change_request SET state = 'applied', current_step = NULL, notice_ends_at = NULL, applied_at = now(), applied_version = v_version,
    before = CASE WHEN r.kind LIKE 'household.%' THEN v_before END, updated_at = now() WHERE id = r.id;
END
$$;

-- Lets notice periods that are over (and have no open objection) pass, step by step; applies the request
-- when the chain ends with one. The request row is locked by the caller.
CREATE FUNCTION povmap_cr_advance(p_id integer, p_notice_days integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r change_request;
  s review_chain_step;
BEGIN
  LOOP
    SELECT * INTO r FROM change_request WHERE id = p_id;
    EXIT WHEN r.state <> 'pending';
    SELECT * INTO s FROM review_chain_step WHERE kind = r.kind AND no = r.current_step;
    EXIT WHEN s.action <> 'notice' OR r.notice_ends_at > now()
      OR EXISTS (SELECT 1 FROM change_request_objection o WHERE o.request_id = r.id AND o.round = r.round AND o.step_no = r.current_step AND o.resolved_at IS NULL);
    INSERT INTO change_request_step (request_id, round, no, action, decision, at, comment, area_code)
    VALUES (r.id, r.round, r.current_step, 'notice', 'noticed', now(),
            format('公示期满（%s 天）/ notice period over (%s days)', COALESCE(s.notice_days, p_notice_days), COALESCE(s.notice_days, p_notice_days)), r.area_code);
    IF EXISTS (SELECT 1 FROM review_chain_step WHERE kind = r.kind AND no = r.current_step + 1) THEN
      PERFORM povmap_cr_enter_step(r.id, r.current_step + 1, p_notice_days);
    ELSE
      PERFORM povmap_cr_apply(r.id);
    END IF;
  END LOOP;
END
$$;

-- The attachments must be photos of the household or its village (uploaded through POST /api/photos).
CREATE FUNCTION povmap_cr_check_attachments(p_attachments uuid[], p_area text, p_household bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM photo p WHERE p.ref = ANY (p_attachments) AND p.area_code = p_area
        AND (p.household_id IS NULL OR p.household_id IS NOT DISTINCT FROM p_household)) <> cardinality(ARRAY(SELECT DISTINCT unnest(p_attachments))) THEN
    PERFORM povmap_cr_fail('PV400', 'attachments', 'an attachment is not a photo of this household or its village', '附件不是该户或本村的照片');
  END IF;
END
$$;

-- ---- the workflow, as the request role calls it -----------------------------------------------------------------------
-- p_changes: the proposed values (validated by the server first); p_masked: the same with names, ID numbers and
-- phones masked (what the request role reads back); p_notice_days: NOTICE_DAYS. Answers the request's id.
CREATE FUNCTION povmap_cr_propose(p_kind text, p_target uuid, p_base_version integer, p_changes jsonb, p_masked jsonb, p_reason text,
                                  p_attachments uuid[], p_notice_days integer)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  h record;
  v_hid bigint;
  v_area text;
  v_id integer;
BEGIN
  c := povmap_cr_caller();
  IF c.role NOT IN ('village_team', 'township_officer', 'county_officer') THEN
    PERFORM povmap_cr_fail('PV403', NULL, format('the role %s reads change requests but does not propose them', c.role), '该角色只能查看变更申请，不能提出');
  END IF;
  IF p_kind = 'household.create' THEN
    v_area := p_changes ->> 'villageCode';
    IF NOT starts_with(v_area, c.scope) OR NOT EXISTS (SELECT 1 FROM admin_area WHERE code = v_area AND level = 'village') THEN
      PERFORM povmap_cr_fail('PV404', 'changes.villageCode', format('no village %s in your area', v_area), '您的辖区内没有该村');
    END IF;
  ELSE
    SELECT x.id, x.village_code, x.version INTO h FROM household x WHERE x.ref = p_target;
    IF NOT FOUND OR NOT starts_with(h.village_code, c.scope) THEN
      PERFORM povmap_cr_fail('PV404', 'target', format('no household %s', p_target), '没有该户');
    END IF;
    IF h.version <> p_base_version THEN
      PERFORM povmap_cr_fail('PV409', 'baseVersion', format('the household is at version %s, not %s', h.version, p_base_version), format('该户信息已更新（现为第 %s 版）', h.version));
    END IF;
    v_area := h.village_code;
    v_hid := h.id;
  END IF;
  PERFORM povmap_cr_check(p_kind, v_hid, v_area, p_changes);
  PERFORM povmap_cr_check_attachments(COALESCE(p_attachments, '{}'), v_area, v_hid);
  INSERT INTO change_request (kind, household_id, household_ref, area_code, base_version, changes, changes_masked, reason, attachments,
                              proposed_by, proposed_by_username, proposed_by_role, current_step)
  VALUES (p_kind, v_hid, CASE WHEN p_kind = 'household.create' THEN NULL ELSE p_target END, v_area, p_base_version, p_changes, p_masked, p_reason,
          COALESCE(p_attachments, '{}'), c.user_id, c.username, c.role, 1)
  RETURNING id INTO v_id;
  PERFORM povmap_cr_enter_step(v_id, 1, p_notice_days);
  PERFORM povmap_cr_advance(v_id, p_notice_days);
  RETURN v_id;
END
$$;

-- The request locked, in the caller's area, with due notice periods passed; PV404 outside the area.
CREATE FUNCTION povmap_cr_lock(p_id integer, p_scope text, p_notice_days integer) RETURNS change_request LANGUAGE plpgsql AS $$
DECLARE
  r change_request;
BEGIN
  SELECT * INTO r FROM change_request WHERE id = p_id FOR UPDATE;
  IF NOT FOUND OR NOT starts_with(r.area_code, p_scope) THEN
    PERFORM povmap_cr_fail('PV404', NULL, format('no change request %s', p_id), '没有该变更申请');
  END IF;
  PERFORM povmap_cr_advance(p_id, p_notice_days);
  SELECT * INTO r FROM change_request WHERE id = p_id;
  RETURN r;
END
$$;

-- approve (true) or reject (false) the step the request waits at. Answers the request's state after it.
CREATE FUNCTION povmap_cr_decide(p_id integer, p_approve boolean, p_comment text, p_notice_days integer)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  r change_request;
  s review_chain_step;
BEGIN
  c := povmap_cr_caller();
  r := povmap_cr_lock(p_id, c.scope, p_notice_days);
  IF r.state <> 'pending' THEN
    PERFORM povmap_cr_fail('PV409', 'state', format('the request is %s', r.state), '该申请已不在审核中');
  END IF;
  SELECT * INTO s FROM review_chain_step WHERE kind = r.kind AND no = r.current_step;
  IF s.action = 'notice' THEN
    PERFORM povmap_cr_fail('PV409', 'state', format('the notice period runs until %s or an objection is open', to_char(r.notice_ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI"Z"')),
                           '公示期未满或有未处理的异议');
  END IF;
  IF s.role <> c.role THEN
    PERFORM povmap_cr_fail('PV403', NULL, format('step %s (%s) is for the role %s', s.no, s.action, s.role), '当前审核环节不属于您的角色');
  END IF;
  IF r.proposed_by = c.user_id THEN
    PERFORM povmap_cr_fail('PV403', NULL, 'nobody approves or rejects their own request', '不能审核本人提出的申请');
  END IF;
  INSERT INTO change_request_step (request_id, round, no, action, decision, by_id, by_username, by_role, comment, area_code)
  VALUES (r.id, r.round, r.current_step, s.action, CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END, c.user_id, c.username, c.role, p_comment, r.area_code);
  IF NOT p_approve THEN
    UPDATE change_request SET state = 'rejected', current_step = NULL, notice_ends_at = NULL, updated_at = now() WHERE id = r.id;
  ELSIF EXISTS (SELECT 1 FROM review_chain_step WHERE kind = r.kind AND no = r.current_step + 1) THEN
    PERFORM povmap_cr_enter_step(r.id, r.current_step + 1, p_notice_days);
    PERFORM povmap_cr_advance(r.id, p_notice_days);
  ELSE
    PERFORM povmap_cr_apply(r.id);
  END IF;
  RETURN (SELECT state FROM change_request WHERE id = r.id);
END
$$;

-- The proposer sends a rejected request again (new changes, reason, base version or attachments when given).
CREATE FUNCTION povmap_cr_resubmit(p_id integer, p_changes jsonb, p_masked jsonb, p_reason text, p_base_version integer, p_attachments uuid[], p_notice_days integer)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  r change_request;
  v_version integer;
BEGIN
  c := povmap_cr_caller();
  r := povmap_cr_lock(p_id, c.scope, p_notice_days);
  IF r.proposed_by <> c.user_id THEN
    PERFORM povmap_cr_fail('PV403', NULL, 'only the proposer resubmits a request', '只有申请人可以重新提交');
  END IF;
  IF r.state <> 'rejected' THEN
    PERFORM povmap_cr_fail('PV409', 'state', format('the request is %s: only a rejected request is resubmitted', r.state), '只有被退回的申请可以重新提交');
  END IF;
  IF r.kind <> 'household.create' THEN
    SELECT version INTO v_version FROM household WHERE id = r.household_id;
    IF v_version IS NULL THEN
      PERFORM povmap_cr_fail('PV409', NULL, 'the household is no longer in the registry', '该户已不在扶贫对象库中');
    END IF;
    IF v_version <> COALESCE(p_base_version, r.base_version) THEN
      PERFORM povmap_cr_fail('PV409', 'baseVersion', format('the household is at version %s, not %s', v_version, COALESCE(p_base_version, r.base_version)),
                             format('该户信息已更新（现为第 %s 版）', v_version));
    END IF;
  END IF;
  IF p_changes IS NOT NULL AND r.kind = 'household.create' AND p_changes ->> 'villageCode' IS DISTINCT FROM r.area_code THEN
    PERFORM povmap_cr_fail('PV400', 'changes.villageCode', 'a resubmitted request stays in its village', '重新提交的申请不能更换所在村');
  END IF;
  PERFORM povmap_cr_check(r.kind, r.household_id, r.area_code, COALESCE(p_changes, r.changes));
  PERFORM povmap_cr_check_attachments(COALESCE(p_attachments, r.attachments), r.area_code, r.household_id);
  UPDATE change_request SET state = 'pending', round = round + 1, changes = COALESCE(p_changes, changes), changes_masked = COALESCE(p_masked, changes_masked),
    reason = COALESCE(p_reason, reason), base_version = COALESCE(p_base_version, base_version), attachments = COALESCE(p_attachments, attachments),
    current_step = 1, updated_at = now()
  WHERE id = r.id;
  PERFORM povmap_cr_enter_step(r.id, 1, p_notice_days);
  PERFORM povmap_cr_advance(r.id, p_notice_days);
  RETURN (SELECT state FROM change_request WHERE id = r.id);
END
$$;

CREATE FUNCTION povmap_cr_withdraw(p_id integer, p_notice_days integer)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  r change_request;
BEGIN
  c := povmap_cr_caller();
  r := povmap_cr_lock(p_id, c.scope, p_notice_days);
  IF r.proposed_by <> c.user_id THEN
    PERFORM povmap_cr_fail('PV403', NULL, 'only the proposer withdraws a request', '只有申请人可以撤回');
  END IF;
  IF r.state NOT IN ('pending', 'rejected') THEN
    PERFORM povmap_cr_fail('PV409', 'state', format('the request is %s', r.state), '该申请已办结');
  END IF;
  UPDATE change_request SET state = 'withdrawn', current_step = NULL, notice_ends_at = NULL, updated_at = now() WHERE id = r.id;
  RETURN 'withdrawn';
END
$$;

-- An objection received during the notice the request waits at (village team, township or county officer of the area).
CREATE FUNCTION povmap_cr_object(p_id integer, p_text text, p_notice_days integer)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  r change_request;
  v_id integer;
BEGIN
  c := povmap_cr_caller();
  r := povmap_cr_lock(p_id, c.scope, p_notice_days);
  IF c.role NOT IN ('village_team', 'township_officer', 'county_officer') THEN
    PERFORM povmap_cr_fail('PV403', NULL, format('the role %s does not record objections', c.role), '该角色不能登记异议');
  END IF;
  IF r.state <> 'pending' OR (SELECT action FROM review_chain_step WHERE kind = r.kind AND no = r.current_step) <> 'notice' THEN
    PERFORM povmap_cr_fail('PV409', 'state', 'the request is not in a public notice period', '该申请不在公示期内');
  END IF;
  INSERT INTO change_request_objection (request_id, round, step_no, text, recorded_by, recorded_by_username, recorded_by_role, area_code)
  VALUES (r.id, r.round, r.current_step, p_text, c.user_id, c.username, c.role, r.area_code)
  RETURNING id INTO v_id;
  UPDATE change_request SET updated_at = now() WHERE id = r.id;
  RETURN v_id;
END
$$;

-- How an objection was resolved (township or county officer of the area); the chain may go on once none is open.
CREATE FUNCTION povmap_cr_resolve(p_id integer, p_objection integer, p_resolution text, p_notice_days integer)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  r change_request;
BEGIN
  c := povmap_cr_caller();
  r := povmap_cr_lock(p_id, c.scope, p_notice_days);
  IF c.role NOT IN ('township_officer', 'county_officer') THEN
    PERFORM povmap_cr_fail('PV403', NULL, 'township and county officers resolve objections', '由乡镇或县级审核人员处理异议');
  END IF;
  UPDATE change_request_objection SET resolution = p_resolution, resolved_by = c.user_id, resolved_by_username = c.username, resolved_by_role = c.role,
    resolved_at = clock_timestamp()
  WHERE id = p_objection AND request_id = r.id AND resolved_at IS NULL;
  IF NOT FOUND THEN
    PERFORM povmap_cr_fail('PV409', 'objection', 'no open objection with this id on the request', '该申请没有此未处理的异议');
  END IF;
  UPDATE change_request SET updated_at = now() WHERE id = r.id;
  PERFORM povmap_cr_advance(r.id, p_notice_days);
  RETURN (SELECT state FROM change_request WHERE id = r.id);
END
$$;

-- Lets due notice periods pass on a request of the caller's area (reading it shows where it really is).
CREATE FUNCTION povmap_cr_refresh(p_id integer, p_notice_days integer)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  r change_request;
BEGIN
  c := povmap_cr_caller();
  SELECT * INTO r FROM change_request WHERE id = p_id;
  IF FOUND AND starts_with(r.area_code, c.scope) AND r.state = 'pending' AND r.notice_ends_at <= now() THEN
    PERFORM povmap_cr_lock(p_id, c.scope, p_notice_days);
  END IF;
END
$$;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['povmap_agg_delta(jsonb)', 'povmap_agg_household(bigint, integer, integer)', 'povmap_cr_fail(text, text, text, text)', 'povmap_cr_columns(jsonb, text)', 'povmap_cr_caller()', 'povmap_cr_member_id(bigint, integer)',
                           'povmap_cr_check(text, bigint, text, jsonb)', 'povmap_cr_enter_step(integer, integer, integer)',
                           'povmap_cr_history(change_request, bigint, uuid, integer, jsonb, text, jsonb, jsonb)', 'povmap_cr_apply(integer)',
                           'povmap_cr_advance(integer, integer)', 'povmap_cr_check_attachments(uuid[], text, bigint)', 'povmap_cr_lock(integer, text, integer)',
                           'povmap_cr_member_json(member)'] LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
  FOREACH f IN ARRAY ARRAY['povmap_cr_propose(text, uuid, integer, jsonb, jsonb, text, uuid[], integer)', 'povmap_cr_decide(integer, boolean, text, integer)',
                           'povmap_cr_resubmit(integer, jsonb, jsonb, text, integer, uuid[], integer)', 'povmap_cr_withdraw(integer, integer)',
                           'povmap_cr_object(integer, text, integer)', 'povmap_cr_resolve(integer, integer, text, integer)', 'povmap_cr_refresh(integer, integer)'] LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO povmap_app', f);
  END LOOP;
END
$$;
