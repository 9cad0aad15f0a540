-- Household imports as set operations (issue 19). The real run of an import went through the registry
-- workflow one operation at a time (povmap_import_apply, povmap_cr_propose: about 120 ms per household, hours
-- for a county's registry). Now the server stages the plan's operations in chunks (povmap_import_stage) into
-- a temporary table of the owner, dropped at commit, and one call checks and applies them all
-- (povmap_import_apply_batch: the province administrator) or files them as pending change requests
-- (povmap_import_propose_batch: county, township and village offices), in the importer's transaction.
-- Same checks (role and area from the session, village, version, location in the village, ID numbers), same
-- rows written as the workflow one by one: a change request per operation with its approving step, the
-- registry rows, versions, household_history per field, aggregates by their deltas, identification once
-- for all the households at the end, tile versions once per statement (a handful, not one per household).
-- povmap_import_apply stays for single changes.

-- A household's values by API name from its row, a year's row and its members' count, as povmap_cr_values
-- gives them: one expression, no query per household.
CREATE FUNCTION povmap_import_values(h household, y household_year, p_members bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'ref', h.ref, 'version', h.version, 'villageCode', h.village_code,
    'location', jsonb_build_array(round(ST_X(h.geom)::numeric, 6), round(ST_Y(h.geom)::numeric, 6)),
    'outsideBoundary', CASE WHEN h.outside_boundary_reason IS NULL THEN NULL ELSE jsonb_build_object('reason', h.outside_boundary_reason) END,
    'size', h.size, 'members', p_members,
    'attribute', h.attribute, 'identificationStandard', h.identification_standard, 'registeredYear', h.registered_year,
    'mainCause', h.main_cause, 'otherCauses', to_jsonb(h.other_causes), 'phone', h.phone_masked,
    'housingAreaM2', h.housing_area_m2, 'housingStructure', h.housing_structure, 'housingSafety', h.housing_safety, 'relocated', h.relocated,
    'waterSource', h.water_source, 'waterDifficulty', h.water_difficulty, 'cookingFuel', h.cooking_fuel, 'roadHardened', h.road_hardened,
    'kmToMarket', h.km_to_market, 'landPaddyMu', h.land_paddy_mu, 'landDryMu', h.land_dry_mu, 'landForestMu', h.land_forest_mu,
    'year', y.year, 'status', y.status, 'incomePerCapita', y.income_per_capita,
    'foodClothingOk', y.food_clothing_ok, 'educationOk', y.education_ok, 'medicalOk', y.medical_ok, 'housingOk', y.housing_ok, 'waterOk', y.water_ok,
    'updatedAt', to_char(h.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
$$;

-- The staging table must be the one this owner created in this transaction, not one the session made.
CREATE FUNCTION povmap_import_owned() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('pg_temp.povmap_import_op') IS NULL
     OR (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass('pg_temp.povmap_import_op')) <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) THEN
    RAISE EXCEPTION 'no import operations are staged in this transaction' USING ERRCODE = '55000';
  END IF;
END
$$;

-- p_ops: [{ kind, target, baseVersion, changes, masked }], appended in order to the transaction's staging table.
CREATE FUNCTION povmap_import_stage(p_ops jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  PERFORM povmap_cr_caller();
  IF to_regclass('pg_temp.povmap_import_op') IS NULL THEN
    CREATE TEMP TABLE povmap_import_op (
      ord integer PRIMARY KEY,
      kind text NOT NULL,
      target uuid,
      base_version integer,
      changes jsonb NOT NULL,
      masked jsonb NOT NULL,
      -- resolved by povmap_import_resolve and the apply:
      req_id integer,
      hid bigint,
      href uuid,
      area text,
      seq integer,
      version integer,
      yr integer,
      size0 integer,
      member_id bigint,
      member_no integer,
      before jsonb
    ) ON COMMIT DROP;
  END IF;
  PERFORM povmap_import_owned();
  INSERT INTO pg_temp.povmap_import_op (ord, kind, target, base_version, changes, masked)
  SELECT COALESCE((SELECT max(x.ord) FROM pg_temp.povmap_import_op x), 0) + t.i, t.o ->> 'kind', (t.o ->> 'target')::uuid,
         (t.o ->> 'baseVersion')::int, t.o -> 'changes', t.o -> 'masked'
  FROM jsonb_array_elements(p_ops) WITH ORDINALITY AS t(o, i);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
REVOKE ALL ON FUNCTION povmap_import_stage(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_import_stage(jsonb) TO povmap_app;

-- What povmap_cr_check and the preambles of propose and apply check one request at a time, for all staged
-- operations at once, in the caller's area; p_lock locks the households (a direct apply). Fills in each
-- operation's household, village, place among its household's operations, version and year.
CREATE FUNCTION povmap_import_resolve(p_scope text, p_lock boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  x record;
BEGIN
  -- A temporary table has no statistics until analysed: without them the joins below plan as nested loops.
  ANALYZE pg_temp.povmap_import_op;
  SELECT o.ord, o.kind INTO x FROM pg_temp.povmap_import_op o
  WHERE o.kind NOT IN ('household.create', 'household.update', 'member.add', 'member.update') LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'an import does not make % changes', x.kind USING ERRCODE = '22023';
  END IF;
  -- Only the fields an import writes (the registry's fields; a household's size follows its members).
  SELECT o.ord, o.kind, e.key INTO x FROM pg_temp.povmap_import_op o CROSS JOIN LATERAL jsonb_object_keys(o.changes) AS e(key)
  WHERE CASE o.kind
    WHEN 'household.create' THEN e.key NOT IN ('villageCode', 'location', 'year', 'members', 'outsideBoundary', 'size')
                                 AND e.key NOT IN (SELECT f.api FROM povmap_cr_fields() f WHERE f.tbl IN ('household', 'year'))
    WHEN 'household.update' THEN e.key = 'size' OR (e.key NOT IN ('location', 'year', 'outsideBoundary')
                                 AND e.key NOT IN (SELECT f.api FROM povmap_cr_fields() f WHERE f.tbl IN ('household', 'year')))
    WHEN 'member.add' THEN e.key <> 'member'
    ELSE e.key <> 'memberNo' AND e.key NOT IN (SELECT f.api FROM povmap_cr_fields() f WHERE f.tbl = 'member') END
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'an import''s % does not change %', x.kind, x.key USING ERRCODE = '22023';
  END IF;

  UPDATE pg_temp.povmap_import_op o SET area = o.changes ->> 'villageCode', seq = 1, version = 1, yr = (o.changes ->> 'year')::int
  WHERE o.kind = 'household.create';
  SELECT o.area INTO x FROM pg_temp.povmap_import_op o
  WHERE o.kind = 'household.create' AND (o.area IS NULL OR NOT starts_with(o.area, p_scope)
    OR NOT EXISTS (SELECT 1 FROM admin_area a WHERE a.code = o.area AND a.level = 'village')) LIMIT 1;
  IF FOUND THEN
    PERFORM povmap_cr_fail('PV404', 'changes.villageCode', format('no village %s in your area', x.area), '您的辖区内没有该村');
  END IF;

  UPDATE pg_temp.povmap_import_op o SET hid = h.id, href = h.ref, area = h.village_code, size0 = h.size
  FROM household h WHERE o.kind <> 'household.create' AND h.ref = o.target;
  IF p_lock THEN
    PERFORM 1 FROM household h WHERE h.id IN (SELECT o.hid FROM pg_temp.povmap_import_op o WHERE o.hid IS NOT NULL) ORDER BY h.id FOR UPDATE;
  END IF;
  SELECT o.target INTO x FROM pg_temp.povmap_import_op o
  WHERE o.kind <> 'household.create' AND (o.hid IS NULL OR NOT starts_with(o.area, p_scope)) LIMIT 1;
  IF FOUND THEN
    PERFORM povmap_cr_fail('PV404', 'target', format('no household %s', x.target), '没有该户');
  END IF;
  SELECT h.version, o.base_version INTO x FROM pg_temp.povmap_import_op o JOIN household h ON h.id = o.hid
  WHERE o.base_version IS DISTINCT FROM h.version LIMIT 1;
  IF FOUND THEN
    PERFORM povmap_cr_fail('PV409', 'baseVersion', format('the household is at version %s, not %s', x.version, x.base_version), format('该户信息已更新（现为第 %s 版）', x.version));
  END IF;
  -- A household's operations apply in the file's order, each one version on; an update comes first, once.
  UPDATE pg_temp.povmap_import_op o SET seq = s.n, version = o.base_version + s.n,
    yr = COALESCE((o.changes ->> 'year')::int, (SELECT max(y.year) FROM household_year y WHERE y.household_id = o.hid))
  FROM (SELECT z.ord, row_number() OVER (PARTITION BY z.hid ORDER BY z.ord)::int AS n FROM pg_temp.povmap_import_op z WHERE z.hid IS NOT NULL) s
  WHERE s.ord = o.ord;
  IF EXISTS (SELECT 1 FROM pg_temp.povmap_import_op o WHERE o.kind = 'household.update' AND o.seq <> 1) THEN
    RAISE EXCEPTION 'an import updates a household once, before its members' USING ERRCODE = '22023';
  END IF;

  -- Members by number (1-based, by id), as povmap_cr_member_id counts them.
  UPDATE pg_temp.povmap_import_op o SET member_id = m.id, member_no = m.no
  FROM (SELECT mm.id, mm.household_id, row_number() OVER (PARTITION BY mm.household_id ORDER BY mm.id)::int AS no
        FROM member mm WHERE mm.household_id IN (SELECT z.hid FROM pg_temp.povmap_import_op z WHERE z.kind = 'member.update')) m
  WHERE o.kind = 'member.update' AND m.household_id = o.hid AND m.no = (o.changes ->> 'memberNo')::int AND (o.changes ->> 'memberNo')::int >= 1;
  IF EXISTS (SELECT 1 FROM pg_temp.povmap_import_op o WHERE o.kind = 'member.update' AND o.member_id IS NULL) THEN
    PERFORM povmap_cr_fail('PV400', 'changes.memberNo', 'no member with this number', '没有该序号的家庭成员');
  END IF;
  IF EXISTS (SELECT 1 FROM pg_temp.povmap_import_op o WHERE o.kind = 'member.update' GROUP BY o.member_id HAVING count(*) > 1) THEN
    RAISE EXCEPTION 'an import changes a member once' USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_temp.povmap_import_op o WHERE o.kind = 'member.add' GROUP BY o.hid
             HAVING count(*) + (SELECT count(*) FROM member m WHERE m.household_id = o.hid) > 20) THEN
    PERFORM povmap_cr_fail('PV400', 'changes.member', 'a household has at most 20 members', '家庭成员最多 20 人');
  END IF;

  -- The location inside the village, unless flagged outside on purpose.
  IF EXISTS (SELECT 1 FROM pg_temp.povmap_import_op o JOIN admin_area a ON a.code = o.area
             WHERE o.changes ? 'location' AND jsonb_typeof(o.changes -> 'outsideBoundary') IS DISTINCT FROM 'object'
               AND NOT ST_Covers(a.geom, ST_SetSRID(ST_MakePoint((o.changes -> 'location' ->> 0)::float8, (o.changes -> 'location' ->> 1)::float8), 4326))) THEN
    PERFORM povmap_cr_fail('PV400', 'changes.location', 'the location lies outside the household''s village: correct it, or mark it outside the boundary with a reason',
                           '户位置不在所属村界内：请改正位置，或注明“村界外”及原因');
  END IF;

  -- ID numbers: new ones neither in the registry (but for the member changed) nor twice in the batch.
  IF EXISTS (
    WITH ids AS (
      SELECT e ->> 'idNumber' AS id, NULL::bigint AS member_id FROM pg_temp.povmap_import_op o CROSS JOIN LATERAL jsonb_array_elements(o.changes -> 'members') AS e
      WHERE o.kind = 'household.create'
      UNION ALL SELECT o.changes -> 'member' ->> 'idNumber', NULL FROM pg_temp.povmap_import_op o WHERE o.kind = 'member.add'
      UNION ALL SELECT o.changes ->> 'idNumber', o.member_id FROM pg_temp.povmap_import_op o WHERE o.kind = 'member.update' AND o.changes ? 'idNumber'
    )
    SELECT 1 FROM ids WHERE EXISTS (SELECT 1 FROM member m WHERE m.id_number = ids.id AND m.id IS DISTINCT FROM ids.member_id)
    UNION ALL
    SELECT 1 FROM ids GROUP BY ids.id HAVING count(*) > 1) THEN
    PERFORM povmap_cr_fail('PV400', 'changes.members.idNumber', 'this ID number is already in the registry', '身份证号已在扶贫对象库中登记');
  END IF;
END
$$;

-- The province administrator's import, applied at once: per operation a change request recorded as approved at
-- its chain's last step by the administrator and applied, as povmap_import_apply does one by one. Answers the
-- requests' ids in the operations' order.
CREATE FUNCTION povmap_import_apply_batch(p_reason text) RETURNS integer[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  v_at timestamptz := clock_timestamp();
  v_deferred text;
  v_agg jsonb;
  v_ids integer[];
  v_year_fields text[] := ARRAY(SELECT f.api FROM povmap_cr_fields() f WHERE f.tbl = 'year');
  v_comment text := '省级管理员批量导入，直接生效 / applied directly by the province administrator (import)';
BEGIN
  SELECT * INTO c FROM povmap_session_caller() s WHERE s.factor_ok;
  IF NOT FOUND OR c.role <> 'province_admin' THEN
    RAISE EXCEPTION 'only the province administrator applies an import directly' USING ERRCODE = '42501';
  END IF;
  PERFORM povmap_import_owned();
  -- One apply at a time, as povmap_cr_apply: the ID-number checks stay race-free.
  PERFORM pg_advisory_xact_lock(hashtext('povmap.registry.apply'));
  PERFORM povmap_import_resolve(c.scope, true);
  -- Identification once for every household touched, at the end, instead of once per statement.
  v_deferred := current_setting('povmap.identification_deferred', true);
  PERFORM set_config('povmap.identification_deferred', 'on', true);

  -- Request ids in the operations' order; new households' ids and refs.
  UPDATE pg_temp.povmap_import_op o SET req_id = s.id,
    hid = CASE WHEN o.kind = 'household.create' THEN povmap_new_household_id() ELSE o.hid END,
    href = CASE WHEN o.kind = 'household.create' THEN gen_random_uuid() ELSE o.href END
  FROM (SELECT z.ord, nextval(pg_get_serial_sequence('change_request', 'id'))::int AS id FROM (SELECT ord FROM pg_temp.povmap_import_op ORDER BY ord) z) s
  WHERE s.ord = o.ord;
  -- The values a household change replaces, before anything changes.
  UPDATE pg_temp.povmap_import_op o
  SET before = (SELECT povmap_import_values(h, y, (SELECT count(*) FROM member m WHERE m.household_id = h.id)) FROM household h LEFT JOIN household_year y ON y.household_id = h.id AND y.year = o.yr WHERE h.id = o.hid)
  WHERE o.kind = 'household.update';
  UPDATE pg_temp.povmap_import_op o SET before = povmap_cr_member_json(m) FROM member m WHERE o.kind = 'member.update' AND m.id = o.member_id;

  INSERT INTO change_request (id, kind, state, household_id, household_ref, area_code, base_version, changes, changes_masked, reason,
                              proposed_by, proposed_by_username, proposed_by_role, proposed_at, updated_at, current_step, applied_at, applied_version, before)
  OVERRIDING SYSTEM VALUE
  SELECT o.req_id, o.kind, 'applied', o.hid, o.href, o.area, CASE WHEN o.kind = 'household.create' THEN NULL ELSE o.version - 1 END, o.changes, o.masked, p_reason,
         c.user_id, c.username, c.role, now(), now(), NULL, now(), o.version, CASE WHEN o.kind = 'household.update' THEN o.before END
  FROM pg_temp.povmap_import_op o ORDER BY o.ord;
  INSERT INTO change_request_step (request_id, round, no, action, decision, by_id, by_username, by_role, at, comment, area_code)
  SELECT o.req_id, 1, COALESCE(l.no, 1), CASE WHEN l.action IN ('review', 'approve') THEN l.action ELSE 'approve' END, 'approved', c.user_id, c.username, c.role, v_at,
         v_comment, o.area
  FROM pg_temp.povmap_import_op o
  LEFT JOIN (SELECT DISTINCT ON (s.kind) s.kind, s.no, s.action FROM review_chain_step s ORDER BY s.kind, s.no DESC) l ON l.kind = o.kind
  ORDER BY o.ord;

  -- ---- new households, their year and members
  -- (Statements that would touch no row are skipped: each fires its table's statement triggers, tile versions among them.)
  IF EXISTS (SELECT 1 FROM pg_temp.povmap_import_op o WHERE o.kind = 'household.create') THEN
  INSERT INTO household (id, ref, village_code, geom, size, identification_standard, attribute, main_cause, other_causes, phone, registered_year,
    housing_area_m2, housing_structure, housing_safety, relocated, water_source, water_difficulty, cooking_fuel, road_hardened, km_to_market,
    land_paddy_mu, land_dry_mu, land_forest_mu, outside_boundary_reason, version, updated_at)
  SELECT o.hid, o.href, o.area, ST_SetSRID(ST_MakePoint((x.c -> 'location' ->> 0)::float8, (x.c -> 'location' ->> 1)::float8), 4326), jsonb_array_length(x.c -> 'members'),
    x.c ->> 'identificationStandard', x.c ->> 'attribute', x.c ->> 'mainCause', COALESCE(ARRAY(SELECT jsonb_array_elements_text(x.c -> 'otherCauses')), '{}'),
    x.c ->> 'phone', o.yr, (x.c ->> 'housingAreaM2')::float8, x.c ->> 'housingStructure', x.c ->> 'housingSafety', COALESCE((x.c ->> 'relocated')::boolean, false),
    x.c ->> 'waterSource', COALESCE((x.c ->> 'waterDifficulty')::boolean, false), x.c ->> 'cookingFuel', COALESCE((x.c ->> 'roadHardened')::boolean, false),
    (x.c ->> 'kmToMarket')::float8, (x.c ->> 'landPaddyMu')::float8, (x.c ->> 'landDryMu')::float8, (x.c ->> 'landForestMu')::float8,
    x.c -> 'outsideBoundary' ->> 'reason', 1, now()
  FROM pg_temp.povmap_import_op o CROSS JOIN LATERAL (SELECT o.changes AS c) x
  WHERE o.kind = 'household.create' ORDER BY o.ord;
  INSERT INTO household_year (household_id, year, status, income_per_capita, food_clothing_ok, education_ok, medical_ok, housing_ok, water_ok, village_code)
  SELECT o.hid, o.yr, 'poor', (o.changes ->> 'incomePerCapita')::float8, COALESCE((o.changes ->> 'foodClothingOk')::boolean, true),
    COALESCE((o.changes ->> 'educationOk')::boolean, true), COALESCE((o.changes ->> 'medicalOk')::boolean, true),
    COALESCE((o.changes ->> 'housingOk')::boolean, true), COALESCE((o.changes ->> 'waterOk')::boolean, true), o.area
  FROM pg_temp.povmap_import_op o WHERE o.kind = 'household.create' ORDER BY o.ord;
  END IF;
  -- Members of new households and added members, ids from the application's sequence in the file's order.
  IF EXISTS (SELECT 1 FROM pg_temp.povmap_import_op o WHERE o.kind IN ('household.create', 'member.add')) THEN
  INSERT INTO member (id, household_id, name, sex, id_number, relation, ethnicity, birth_year, schooling, in_school, health, labour,
    migrant_months, dibao, wubao, medical_insurance, pension)
  SELECT nextval('member_app_id_seq'), s.hid, s.m ->> 'name', s.m ->> 'sex', s.m ->> 'idNumber', s.m ->> 'relation', s.m ->> 'ethnicity',
    COALESCE((s.m ->> 'birthYear')::int, substr(s.m ->> 'idNumber', 7, 4)::int), s.m ->> 'schooling', s.m ->> 'inSchool', s.m ->> 'health', s.m ->> 'labour',
    COALESCE((s.m ->> 'migrantMonths')::int, 0), COALESCE((s.m ->> 'dibao')::boolean, false), COALESCE((s.m ->> 'wubao')::boolean, false),
    COALESCE((s.m ->> 'medicalInsurance')::boolean, true), COALESCE((s.m ->> 'pension')::boolean, false)
  FROM (
    SELECT o.ord, e.i, o.hid, e.m FROM pg_temp.povmap_import_op o CROSS JOIN LATERAL jsonb_array_elements(o.changes -> 'members') WITH ORDINALITY AS e(m, i)
    WHERE o.kind = 'household.create'
    UNION ALL
    SELECT o.ord, 1, o.hid, o.changes -> 'member' FROM pg_temp.povmap_import_op o WHERE o.kind = 'member.add'
    ORDER BY 1, 2
  ) s;
  END IF;

  -- ---- changed households: the year's fields (a year without a row: the latest carried forward), members, the household row
  IF EXISTS (SELECT 1 FROM pg_temp.povmap_import_op o WHERE o.kind = 'household.update' AND povmap_cr_columns(o.changes, 'year') <> '{}'::jsonb) THEN
  UPDATE household_year y SET status = n.status, income_per_capita = n.income_per_capita, food_clothing_ok = n.food_clothing_ok,
    education_ok = n.education_ok, medical_ok = n.medical_ok, housing_ok = n.housing_ok, water_ok = n.water_ok
  FROM pg_temp.povmap_import_op o
  JOIN household_year y0 ON y0.household_id = o.hid AND y0.year = o.yr
  CROSS JOIN LATERAL jsonb_populate_record(y0, povmap_cr_columns(o.changes, 'year')) AS n
  WHERE o.kind = 'household.update' AND povmap_cr_columns(o.changes, 'year') <> '{}'::jsonb
    AND y.household_id = o.hid AND y.year = o.yr;
  WITH carried AS (
    INSERT INTO household_year
    SELECT n.* FROM pg_temp.povmap_import_op o
    CROSS JOIN LATERAL (SELECT l AS r FROM household_year l WHERE l.household_id = o.hid ORDER BY l.year DESC LIMIT 1) latest
    CROSS JOIN LATERAL jsonb_populate_record(latest.r, povmap_cr_columns(o.changes, 'year') || jsonb_build_object('year', o.yr)) AS n
    WHERE o.kind = 'household.update' AND povmap_cr_columns(o.changes, 'year') <> '{}'::jsonb
      AND NOT EXISTS (SELECT 1 FROM household_year e WHERE e.household_id = o.hid AND e.year = o.yr)
    RETURNING *
  )
  SELECT jsonb_agg(jsonb_build_object('village_code', h.village_code, 'year', n.year, 'status', n.status, 'main_cause', h.main_cause,
    'gaps', assurance_gaps(n.food_clothing_ok, n.education_ok, n.medical_ok, n.housing_ok, n.water_ok), 'dh', 1, 'dp', h.size))
  INTO v_agg FROM carried n JOIN household h ON h.id = n.household_id;
  PERFORM povmap_agg_delta(v_agg);
  END IF;

  IF EXISTS (SELECT 1 FROM pg_temp.povmap_import_op o WHERE o.kind = 'member.update') THEN
  UPDATE member m SET name = n.name, sex = n.sex, id_number = n.id_number, relation = n.relation, ethnicity = n.ethnicity, birth_year = n.birth_year,
    schooling = n.schooling, in_school = n.in_school, health = n.health, labour = n.labour, migrant_months = n.migrant_months, dibao = n.dibao,
    wubao = n.wubao, medical_insurance = n.medical_insurance, pension = n.pension
  FROM pg_temp.povmap_import_op o
  JOIN member m0 ON m0.id = o.member_id
  CROSS JOIN LATERAL jsonb_populate_record(m0, povmap_cr_columns(o.changes - 'memberNo', 'member')) AS n
  WHERE o.kind = 'member.update' AND m.id = o.member_id;
  END IF;

  IF EXISTS (SELECT 1 FROM pg_temp.povmap_import_op o WHERE o.kind <> 'household.create') THEN
  -- Statement-level triggers move the aggregates of changed causes and sizes (household_refresh_agg).
  UPDATE household h SET attribute = (x.n).attribute, identification_standard = (x.n).identification_standard, main_cause = (x.n).main_cause,
    other_causes = (x.n).other_causes, phone = (x.n).phone, housing_area_m2 = (x.n).housing_area_m2, housing_structure = (x.n).housing_structure,
    housing_safety = (x.n).housing_safety, relocated = (x.n).relocated, water_source = (x.n).water_source, water_difficulty = (x.n).water_difficulty,
    cooking_fuel = (x.n).cooking_fuel, road_hardened = (x.n).road_hardened, km_to_market = (x.n).km_to_market, land_paddy_mu = (x.n).land_paddy_mu,
    land_dry_mu = (x.n).land_dry_mu, land_forest_mu = (x.n).land_forest_mu, size = h.size + x.adds,
    geom = CASE WHEN x.c ? 'location' THEN ST_SetSRID(ST_MakePoint((x.c -> 'location' ->> 0)::float8, (x.c -> 'location' ->> 1)::float8), 4326) ELSE h.geom END,
    outside_boundary_reason = CASE WHEN x.c ? 'outsideBoundary' THEN x.c -> 'outsideBoundary' ->> 'reason' WHEN x.c ? 'location' THEN NULL ELSE h.outside_boundary_reason END,
    version = h.version + x.ops, updated_at = now()
  FROM (
    SELECT g.hid, g.ops, g.adds, g.c, jsonb_populate_record(h0, povmap_cr_columns(g.c - 'size', 'household')) AS n
    FROM (SELECT o.hid, count(*)::int AS ops, (count(*) FILTER (WHERE o.kind = 'member.add'))::int AS adds,
                 COALESCE(max(o.changes::text) FILTER (WHERE o.kind = 'household.update'), '{}')::jsonb AS c
          FROM pg_temp.povmap_import_op o WHERE o.kind <> 'household.create' GROUP BY o.hid) g
    JOIN household h0 ON h0.id = g.hid
  ) x
  WHERE h.id = x.hid;
  END IF;

  -- ---- aggregates of the new households (inserts fire no aggregate trigger), by their deltas
  SELECT jsonb_agg(jsonb_build_object('village_code', z.village_code, 'year', z.year, 'status', z.status, 'main_cause', z.main_cause, 'gaps', z.gaps, 'dh', z.dh, 'dp', z.dp))
  INTO v_agg
  FROM (SELECT h.village_code, y.year, y.status, h.main_cause, assurance_gaps(y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok) AS gaps,
               count(*)::int AS dh, sum(h.size)::int AS dp
        FROM pg_temp.povmap_import_op o JOIN household h ON h.id = o.hid JOIN household_year y ON y.household_id = h.id
        WHERE o.kind = 'household.create' GROUP BY 1, 2, 3, 4, 5) z;
  PERFORM povmap_agg_delta(v_agg);

  -- ---- history: one row per field, in the operations' order (povmap_cr_apply's rows, field for field)
  INSERT INTO household_history (household_id, household_ref, area_code, request_id, kind, version, at, proposed_by, steps, field, before, after)
  SELECT o.hid, o.href, o.area, o.req_id, o.kind, o.version, now(), c.username, st.steps,
         r.field, CASE WHEN r.before = 'null'::jsonb THEN NULL ELSE r.before END, CASE WHEN r.after = 'null'::jsonb THEN NULL ELSE r.after END
  FROM pg_temp.povmap_import_op o
  -- the one step of each kind's requests, as the history shows it
  JOIN (SELECT k.kind, jsonb_build_array(jsonb_build_object('no', COALESCE(l.no, 1), 'action', CASE WHEN l.action IN ('review', 'approve') THEN l.action ELSE 'approve' END,
               'by', c.username, 'at', to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'comment', v_comment)) AS steps
        FROM unnest(ARRAY['household.create', 'household.update', 'member.add', 'member.update']) AS k(kind)
        LEFT JOIN (SELECT DISTINCT ON (s.kind) s.kind, s.no, s.action FROM review_chain_step s ORDER BY s.kind, s.no DESC) l ON l.kind = k.kind) st ON st.kind = o.kind
  -- The household's values after the changes, once per operation (OFFSET 0 keeps it from being computed per field;
  -- no key of an import's changes is the members' count).
  LEFT JOIN LATERAL (SELECT povmap_import_values(h, y, NULL) AS v FROM household h LEFT JOIN household_year y ON y.household_id = h.id AND y.year = o.yr
                     WHERE h.id = o.hid AND o.kind IN ('household.create', 'household.update') OFFSET 0) av ON true
  CROSS JOIN LATERAL (
    -- a new household: its members, its fields, its year's status
    SELECT 1 AS phase, e.i AS n, NULL::text AS k, format('members[%s]', e.i) AS field, NULL::jsonb AS before, povmap_cr_member_json(m) AS after
    FROM jsonb_array_elements(o.changes -> 'members') WITH ORDINALITY AS e(v, i)
    JOIN member m ON m.household_id = o.hid AND m.id_number = e.v ->> 'idNumber'
    WHERE o.kind = 'household.create'
    UNION ALL
    SELECT 2, 0, k.key, CASE WHEN k.key = ANY (v_year_fields) THEN format('year.%s.%s', o.yr, k.key) ELSE k.key END,
           CASE WHEN o.kind = 'household.update' THEN o.before -> k.key END, av.v -> k.key
    FROM jsonb_object_keys(o.changes) AS k(key)
    WHERE o.kind IN ('household.create', 'household.update') AND k.key NOT IN ('members', 'year', 'size', 'note')
    UNION ALL
    SELECT 3, 0, NULL, format('year.%s.status', o.yr), NULL, '"poor"'::jsonb WHERE o.kind = 'household.create'
    -- an added member, and the size it makes
    UNION ALL
    SELECT 1, 0, NULL, format('members[%s]', o.size0 + a.k), NULL, povmap_cr_member_json(m)
    FROM (SELECT count(*)::int AS k FROM pg_temp.povmap_import_op p WHERE p.hid = o.hid AND p.kind = 'member.add' AND p.ord <= o.ord) a
    JOIN member m ON m.household_id = o.hid AND m.id_number = o.changes -> 'member' ->> 'idNumber'
    WHERE o.kind = 'member.add'
    UNION ALL
    SELECT 2, 0, NULL, 'size', to_jsonb(o.size0 + a.k - 1), to_jsonb(o.size0 + a.k)
    FROM (SELECT count(*)::int AS k FROM pg_temp.povmap_import_op p WHERE p.hid = o.hid AND p.kind = 'member.add' AND p.ord <= o.ord) a
    WHERE o.kind = 'member.add'
    -- a changed member: field by field
    UNION ALL
    SELECT 1, 0, k.key, format('members[%s].%s', o.member_no, k.key), o.before -> k.key, povmap_cr_member_json(m) -> k.key
    FROM jsonb_object_keys(o.changes) AS k(key) JOIN member m ON m.id = o.member_id
    WHERE o.kind = 'member.update' AND k.key <> 'memberNo'
  ) r
  ORDER BY o.ord, r.phase, r.n, r.k;

  v_ids := ARRAY(SELECT o.req_id FROM pg_temp.povmap_import_op o ORDER BY o.ord);
  PERFORM set_config('povmap.identification_deferred', COALESCE(v_deferred, ''), true);
  IF v_deferred IS DISTINCT FROM 'on' THEN
    PERFORM identification_refresh_households(ARRAY(SELECT DISTINCT o.hid FROM pg_temp.povmap_import_op o));
  END IF;
  TRUNCATE pg_temp.povmap_import_op;
  RETURN v_ids;
END
$$;
REVOKE ALL ON FUNCTION povmap_import_apply_batch(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION povmap_import_resolve(text, boolean), povmap_import_owned() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_import_apply_batch(text) TO povmap_app;

-- A county, township or village office's import: per operation a pending change request at its chain's first
-- step, as povmap_cr_propose makes them one by one (a notice step that is already over passes at once).
-- Answers the requests' ids in the operations' order.
CREATE FUNCTION povmap_import_propose_batch(p_reason text, p_notice_days integer) RETURNS integer[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  x record;
  v_ids integer[];
BEGIN
  c := povmap_cr_caller();
  IF c.role NOT IN ('village_team', 'township_officer', 'county_officer') THEN
    PERFORM povmap_cr_fail('PV403', NULL, format('the role %s reads change requests but does not propose them', c.role), '该角色只能查看变更申请，不能提出');
  END IF;
  PERFORM povmap_import_owned();
  PERFORM povmap_import_resolve(c.scope, false);
  SELECT o.kind INTO x FROM pg_temp.povmap_import_op o WHERE NOT EXISTS (SELECT 1 FROM review_chain_step s WHERE s.kind = o.kind AND s.no = 1) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'review chain of % has no step %', x.kind, 1;
  END IF;
  UPDATE pg_temp.povmap_import_op o SET req_id = s.id
  FROM (SELECT z.ord, nextval(pg_get_serial_sequence('change_request', 'id'))::int AS id FROM (SELECT ord FROM pg_temp.povmap_import_op ORDER BY ord) z) s
  WHERE s.ord = o.ord;
  INSERT INTO change_request (id, kind, household_id, household_ref, area_code, base_version, changes, changes_masked, reason, attachments,
                              proposed_by, proposed_by_username, proposed_by_role, current_step, notice_ends_at, updated_at)
  OVERRIDING SYSTEM VALUE
  SELECT o.req_id, o.kind, o.hid, CASE WHEN o.kind = 'household.create' THEN NULL ELSE o.target END, o.area,
         CASE WHEN o.kind = 'household.create' THEN NULL ELSE o.base_version END, o.changes, o.masked, p_reason, '{}',
         c.user_id, c.username, c.role, 1,
         CASE WHEN s.action = 'notice' THEN now() + make_interval(days => COALESCE(s.notice_days, p_notice_days)) END, now()
  FROM pg_temp.povmap_import_op o JOIN review_chain_step s ON s.kind = o.kind AND s.no = 1
  ORDER BY o.ord;
  -- A first step that is a notice already over (0 days) passes at once, as povmap_cr_advance does after a proposal.
  -- (Decided from the chain, not by joining change_request: without fresh statistics that join plans as a nested loop.)
  PERFORM povmap_cr_advance(o.req_id, p_notice_days)
  FROM pg_temp.povmap_import_op o JOIN review_chain_step s ON s.kind = o.kind AND s.no = 1
  WHERE s.action = 'notice' AND COALESCE(s.notice_days, p_notice_days) <= 0;
  v_ids := ARRAY(SELECT o.req_id FROM pg_temp.povmap_import_op o ORDER BY o.ord);
  TRUNCATE pg_temp.povmap_import_op;
  RETURN v_ids;
END
$$;
REVOKE ALL ON FUNCTION povmap_import_propose_batch(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_import_propose_batch(text, integer) TO povmap_app;
