-- Review of import batches and assistance-measure imports (issue 19).
-- A county officer's import becomes pending change requests of one batch; the reviewers of those requests
-- (township officers for most steps) work in a smaller area than the batch's county, so they read a batch
-- when at least one of its requests is in their area (the requests themselves stay filtered by their own
-- policy). A reviewer approves or rejects the batch, or chosen rows, through povmap_cr_decide for each
-- request: the same role, area, self-approval, notice, history and apply rules as one request at a time.

-- Measures are a kind of import too.
ALTER TABLE import_batch DROP CONSTRAINT import_batch_kind_check;
ALTER TABLE import_batch ADD CONSTRAINT import_batch_kind_check CHECK (kind IN ('households', 'projects', 'indicators', 'measures'));

-- change_request's own policy limits the EXISTS to the reader's area.
CREATE POLICY import_batch_reviewers ON import_batch FOR SELECT TO povmap_app
  USING (EXISTS (SELECT 1 FROM change_request r WHERE r.id = ANY (import_batch.request_ids)));

-- Decides each request (in the order given) as the session's caller, each in its own subtransaction so that a
-- refused one (no longer at that step, not the caller's role, their own, out of area) is reported and the
-- others still go. Identification is refreshed once at the end for the households applied, not once per
-- request (as the batch apply of migration 0023). An import files all of a household's rows against the same
-- version, so once one of them is applied the next is stale: a request whose household moved on ONLY by
-- requests applied earlier in this same call is rebased on the household's version (nothing else changed
-- under it). Answers one row per request: the state after it, or the refusal's status (400, 403, 404, 409)
-- and message.
CREATE FUNCTION povmap_cr_decide_many(p_ids integer[], p_approve boolean, p_comment text, p_notice_days integer)
RETURNS TABLE (id integer, state text, status integer, message text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_id integer;
  v_state text;
  v_deferred text;
  v_applied bigint[] := '{}';
  v_done integer[] := '{}';
  v_hid bigint;
  v_text text;
BEGIN
  PERFORM povmap_cr_caller();
  v_deferred := current_setting('povmap.identification_deferred', true);
  PERFORM set_config('povmap.identification_deferred', 'on', true);
  FOREACH v_id IN ARRAY p_ids LOOP
    BEGIN
      IF p_approve AND cardinality(v_done) > 0 THEN
        UPDATE change_request x SET base_version = h.version
        FROM household h
        WHERE x.id = v_id AND x.state = 'pending' AND h.id = x.household_id AND x.base_version < h.version
          AND h.version - x.base_version = (SELECT count(*) FROM change_request d WHERE d.id = ANY (v_done) AND d.household_id = h.id AND d.applied_version > x.base_version);
      END IF;
      v_state := povmap_cr_decide(v_id, p_approve, p_comment, p_notice_days);
      id := v_id; state := v_state; status := 200; message := NULL;
      IF v_state = 'applied' THEN
        SELECT r.household_id INTO v_hid FROM change_request r WHERE r.id = v_id;
        v_applied := v_applied || v_hid;
        v_done := v_done || v_id;
      END IF;
    EXCEPTION WHEN SQLSTATE 'PV400' OR SQLSTATE 'PV403' OR SQLSTATE 'PV404' OR SQLSTATE 'PV409' THEN
      GET STACKED DIAGNOSTICS v_text = MESSAGE_TEXT;
      id := v_id; state := NULL;
      status := CASE SQLSTATE WHEN 'PV400' THEN 400 WHEN 'PV403' THEN 403 WHEN 'PV404' THEN 404 ELSE 409 END;
      message := v_text;
    END;
    RETURN NEXT;
  END LOOP;
  PERFORM set_config('povmap.identification_deferred', COALESCE(v_deferred, ''), true);
  IF v_deferred IS DISTINCT FROM 'on' AND cardinality(v_applied) > 0 THEN
    PERFORM identification_refresh_households(ARRAY(SELECT DISTINCT x FROM unnest(v_applied) x WHERE x IS NOT NULL));
  END IF;
END
$$;
REVOKE ALL ON FUNCTION povmap_cr_decide_many(integer[], boolean, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_cr_decide_many(integer[], boolean, text, integer) TO povmap_app;

-- The province administrator's measure import, applied at once: like povmap_import_apply (migration 0019) for
-- measure.upsert, a change request recorded as approved at its chain's last step, then the workflow's apply
-- (the measure row, the household's version, history). A measure id must be one of the household's.
CREATE FUNCTION povmap_import_apply_measure(p_target uuid, p_base_version integer, p_changes jsonb, p_masked jsonb, p_reason text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  h record;
  v_id integer;
  v_last integer;
  v_action text;
BEGIN
  SELECT * INTO c FROM povmap_session_caller() s WHERE s.factor_ok;
  IF NOT FOUND OR c.role <> 'province_admin' THEN
    RAISE EXCEPTION 'only the province administrator applies an import directly' USING ERRCODE = '42501';
  END IF;
  SELECT x.id, x.village_code, x.version INTO h FROM household x WHERE x.ref = p_target FOR UPDATE;
  IF NOT FOUND OR NOT starts_with(h.village_code, c.scope) THEN
    PERFORM povmap_cr_fail('PV404', 'target', format('no household %s', p_target), '没有该户');
  END IF;
  IF h.version <> p_base_version THEN
    PERFORM povmap_cr_fail('PV409', 'baseVersion', format('the household is at version %s, not %s', h.version, p_base_version), format('该户信息已更新（现为第 %s 版）', h.version));
  END IF;
  PERFORM povmap_cr_check('measure.upsert', h.id, h.village_code, p_changes);
  SELECT s.no, s.action INTO v_last, v_action FROM review_chain_step s WHERE s.kind = 'measure.upsert' ORDER BY s.no DESC LIMIT 1;
  v_last := COALESCE(v_last, 1);
  v_action := CASE WHEN v_action IN ('review', 'approve') THEN v_action ELSE 'approve' END;
  INSERT INTO change_request (kind, household_id, household_ref, area_code, base_version, changes, changes_masked, reason,
                              proposed_by, proposed_by_username, proposed_by_role, current_step)
  VALUES ('measure.upsert', h.id, p_target, h.village_code, p_base_version, p_changes, p_masked, p_reason, c.user_id, c.username, c.role, v_last)
  RETURNING change_request.id INTO v_id;
  INSERT INTO change_request_step (request_id, round, no, action, decision, by_id, by_username, by_role, comment, area_code)
  VALUES (v_id, 1, v_last, v_action, 'approved', c.user_id, c.username, c.role, '省级管理员批量导入，直接生效 / applied directly by the province administrator (import)', h.village_code);
  PERFORM povmap_cr_apply(v_id);
  RETURN v_id;
END
$$;
REVOKE ALL ON FUNCTION povmap_import_apply_measure(uuid, integer, jsonb, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_import_apply_measure(uuid, integer, jsonb, jsonb, text) TO povmap_app;
