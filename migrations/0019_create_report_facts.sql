-- More facts for the statistical reports (issue 19), now that the registry workflow (migration 0012) keeps
-- assistance measures and applied change requests: both are read by the registry roles only, so the
-- aggregate roles (leaders, department viewers) get their sums through these functions, in the
-- session's area (povmap_caller_scope), never an argument's.

-- Assistance measures (帮扶措施) of the villages of an area started by the end of a year: per village and key
-- (all, family:<f>, status:<s>, the measure's current status), the measures and the households they serve.
CREATE FUNCTION povmap_report_measure_facts(p_area text, p_year integer)
RETURNS TABLE (code text, key text, measures bigint, households bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT m.village_code, k.key, count(*), count(DISTINCT m.household_id)
  FROM (SELECT povmap_caller_scope('aggregates') AS s) c
  JOIN assistance_measure m ON starts_with(m.village_code, c.s)
  CROSS JOIN LATERAL unnest(ARRAY['all', 'family:' || m.family, 'status:' || m.status]) AS k(key)
  WHERE starts_with(m.village_code, p_area) AND m.start_date < make_date(p_year + 1, 1, 1)
  GROUP BY 1, 2
$$;
REVOKE ALL ON FUNCTION povmap_report_measure_facts(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_report_measure_facts(text, integer) TO povmap_app;

-- Exits and returns applied through the review chain in a year, by month of the county's approval: per
-- village and key (exit:MM, return:MM, and exit:all, return:all for the year), the households.
CREATE FUNCTION povmap_report_change_facts(p_area text, p_year integer)
RETURNS TABLE (code text, key text, households bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT r.area_code, k.key, count(DISTINCT r.household_id)
  FROM (SELECT povmap_caller_scope('aggregates') AS s) c
  JOIN change_request r ON starts_with(r.area_code, c.s)
  CROSS JOIN LATERAL (SELECT CASE r.kind WHEN 'household.exit' THEN 'exit' ELSE 'return' END AS kind,
                             to_char(r.applied_at AT TIME ZONE 'Asia/Shanghai', 'MM') AS month) x
  CROSS JOIN LATERAL unnest(ARRAY[x.kind || ':' || x.month, x.kind || ':all']) AS k(key)
  WHERE r.state = 'applied' AND r.kind IN ('household.exit', 'household.return') AND starts_with(r.area_code, p_area)
    AND extract(year FROM r.applied_at AT TIME ZONE 'Asia/Shanghai') = p_year
  GROUP BY 1, 2
$$;
REVOKE ALL ON FUNCTION povmap_report_change_facts(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_report_change_facts(text, integer) TO povmap_app;

-- ---- imports (issue 19) ------------------------------------------------------------------------------------------
-- A batch: one import run. A county officer's import becomes pending change requests (request_ids), reviewed
-- like any other; the province administrator's is applied at once (mode 'applied'), each household still
-- through a change request with its history.
CREATE TABLE import_batch (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('households', 'projects', 'indicators')),
  area_code text NOT NULL,
  mode text NOT NULL CHECK (mode IN ('requests', 'applied')),
  rows integer NOT NULL,
  creates integer NOT NULL,
  changes integer NOT NULL,
  unchanged integer NOT NULL,
  request_ids integer[] NOT NULL DEFAULT '{}',
  created_by integer NOT NULL,
  created_by_username text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE import_batch IS 'one import run: its counts and the change requests it made (pending for review, or applied by the province administrator)';
GRANT SELECT, INSERT, UPDATE (request_ids) ON import_batch TO povmap_app;
ALTER TABLE import_batch ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_batch FORCE ROW LEVEL SECURITY;
CREATE POLICY import_batch_reads ON import_batch FOR SELECT TO povmap_app USING (starts_with(area_code, (SELECT povmap_caller_scope('registry'))));
CREATE POLICY import_batch_writes ON import_batch FOR INSERT TO povmap_app
  WITH CHECK (starts_with(area_code, (SELECT povmap_caller_scope('registry'))) AND created_by = (SELECT povmap_user_id()));
CREATE POLICY import_batch_requests ON import_batch FOR UPDATE TO povmap_app
  USING (created_by = (SELECT povmap_user_id())) WITH CHECK (created_by = (SELECT povmap_user_id()));
DO $$
BEGIN
  EXECUTE format('CREATE POLICY owner_all ON import_batch TO %I USING (true) WITH CHECK (true)', current_user);
END
$$;

-- The province administrator's import, applied at once: a change request recorded as approved at its chain's
-- last step by the administrator, then applied by the workflow's own apply (registry rows, version, history,
-- aggregates). The same checks as a proposal (area, version, ID numbers, location); nobody else may.
CREATE FUNCTION povmap_import_apply(p_kind text, p_target uuid, p_base_version integer, p_changes jsonb, p_masked jsonb, p_reason text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  h record;
  v_area text;
  v_hid bigint;
  v_id integer;
  v_last integer;
  v_action text;
BEGIN
  SELECT * INTO c FROM povmap_session_caller() s WHERE s.factor_ok;
  IF NOT FOUND OR c.role <> 'province_admin' THEN
    RAISE EXCEPTION 'only the province administrator applies an import directly' USING ERRCODE = '42501';
  END IF;
  IF p_kind NOT IN ('household.create', 'household.update', 'member.add', 'member.update') THEN
    RAISE EXCEPTION 'an import does not make % changes', p_kind USING ERRCODE = '22023';
  END IF;
  IF p_kind = 'household.create' THEN
    v_area := p_changes ->> 'villageCode';
    IF NOT starts_with(v_area, c.scope) OR NOT EXISTS (SELECT 1 FROM admin_area WHERE code = v_area AND level = 'village') THEN
      PERFORM povmap_cr_fail('PV404', 'changes.villageCode', format('no village %s in your area', v_area), '您的辖区内没有该村');
    END IF;
  ELSE
    SELECT x.id, x.village_code, x.version INTO h FROM household x WHERE x.ref = p_target FOR UPDATE;
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
  SELECT s.no, s.action INTO v_last, v_action FROM review_chain_step s WHERE s.kind = p_kind ORDER BY s.no DESC LIMIT 1;
  v_last := COALESCE(v_last, 1);
  v_action := CASE WHEN v_action IN ('review', 'approve') THEN v_action ELSE 'approve' END;
  INSERT INTO change_request (kind, household_id, household_ref, area_code, base_version, changes, changes_masked, reason,
                              proposed_by, proposed_by_username, proposed_by_role, current_step)
  VALUES (p_kind, v_hid, CASE WHEN p_kind = 'household.create' THEN NULL ELSE p_target END, v_area, p_base_version, p_changes, p_masked, p_reason,
          c.user_id, c.username, c.role, v_last)
  RETURNING id INTO v_id;
  INSERT INTO change_request_step (request_id, round, no, action, decision, by_id, by_username, by_role, comment, area_code)
  VALUES (v_id, 1, v_last, v_action, 'approved', c.user_id, c.username, c.role, '省级管理员批量导入，直接生效 / applied directly by the province administrator (import)', v_area);
  PERFORM povmap_cr_apply(v_id);
  RETURN v_id;
END
$$;
REVOKE ALL ON FUNCTION povmap_import_apply(text, uuid, integer, jsonb, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_import_apply(text, uuid, integer, jsonb, jsonb, text) TO povmap_app;
