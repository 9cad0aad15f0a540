-- Access is bound to a signed-in session in the database (issue 14, finding 6).
--
-- Until now the policies trusted povmap.scope / povmap.role, settings any role can set with
-- set_config, and the request role could read password hashes and sealed TOTP seeds, write accounts
-- and sessions, and append audit rows in anyone's name. From here on:
-- - a request transaction sets povmap.sid, the raw session id from the cookie (a secret: only its
--   sha256 is stored); the caller's user, role and area are looked up from it, in the database, by a
--   SECURITY DEFINER function. Forging a scope now needs a live session of that scope.
-- - the request role povmap_app reads no account or session table at all; sign-in, sessions and
--   account administration run as povmap_auth, a second role the server switches to on the owner's
--   connections for those fixed statements only (it reads no registry data).
-- - audit rows written by the request role name the session's user as the actor, or nobody when no
--   session is set.

-- ---- the account role ---------------------------------------------------------------------------------
DO $$
BEGIN
  CREATE ROLE povmap_auth NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'povmap_auth' AND (rolsuper OR rolbypassrls OR rolcanlogin OR rolcreaterole OR rolcreatedb)) THEN
    RAISE EXCEPTION 'role povmap_auth exists with privileges it must not have (superuser, bypassrls, login, createrole or createdb)';
  END IF;
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT povmap_auth TO %I', current_user);
  END IF;
END
$$;
COMMENT ON ROLE povmap_auth IS 'povmap accounts role: sign-in, sessions and account administration (SET LOCAL ROLE on the owner''s connections); reads no registry data';

GRANT USAGE ON SCHEMA public TO povmap_auth;
GRANT SELECT, INSERT, UPDATE ON app_user TO povmap_auth;
GRANT SELECT, INSERT, UPDATE, DELETE ON app_session TO povmap_auth;
GRANT INSERT ON audit_log TO povmap_auth;
CREATE POLICY audit_log_accounts_append ON audit_log FOR INSERT TO povmap_auth WITH CHECK (true);

-- ---- the request role loses the account tables ------------------------------------------------------------
-- (Revoking on a table revokes its column grants too.)
REVOKE ALL ON app_user, app_session, app_secret FROM povmap_app;

-- ---- the caller, from the session ---------------------------------------------------------------------------
-- No session id set: no row (the request role sees nothing). A session id that names no live session of
-- an enabled account is an error, not an empty answer: a statement racing a sign-out must not produce an
-- empty tile that would be cached for everyone of that role and area.
CREATE FUNCTION povmap_session_caller(OUT user_id integer, OUT username text, OUT role text, OUT scope text, OUT factor_ok boolean)
RETURNS SETOF record LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_sid text := nullif(current_setting('povmap.sid', true), '');
BEGIN
  IF v_sid IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
    SELECT u.id, u.username, u.role, u.scope_code, COALESCE(s.data ->> 'factor' = 'ok', false)
    FROM app_session s JOIN app_user u ON u.id = s.user_id
    WHERE s.sid_hash = encode(sha256(convert_to(v_sid, 'UTF8')), 'hex') AND s.expires_at > now() AND NOT u.disabled;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the session has ended: sign in again' USING ERRCODE = '28000';
  END IF;
END
$$;
REVOKE ALL ON FUNCTION povmap_session_caller() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_session_caller() TO povmap_app;
COMMENT ON FUNCTION povmap_session_caller() IS 'the signed-in user behind povmap.sid (the raw session id of this transaction or view connection); raises 28000 for a session that has ended';

-- What the policies call: the caller's area when the session's role may use `p_access` ('any',
-- 'registry', 'aggregates', 'audit', 'field'), else NULL (starts_with(x, NULL) is NULL: no row). Data
-- needs the second factor as well. One PL/pgSQL call per policy and statement, its lookup planned once
-- per connection: policies compare with (SELECT povmap_caller_scope(…)), which the planner evaluates
-- once per statement, never per row.
CREATE FUNCTION povmap_caller_scope(p_access text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_sid text := nullif(current_setting('povmap.sid', true), '');
  v_role text;
  v_scope text;
  v_ok boolean;
BEGIN
  IF v_sid IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT u.role, u.scope_code, COALESCE(s.data ->> 'factor' = 'ok', false) INTO v_role, v_scope, v_ok
  FROM app_session s JOIN app_user u ON u.id = s.user_id
  WHERE s.sid_hash = encode(sha256(convert_to(v_sid, 'UTF8')), 'hex') AND s.expires_at > now() AND NOT u.disabled;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the session has ended: sign in again' USING ERRCODE = '28000';
  END IF;
  IF NOT v_ok THEN
    RETURN NULL;
  END IF;
  RETURN CASE
    WHEN p_access = 'any' THEN v_scope
    WHEN p_access = 'registry' AND v_role IN ('province_admin', 'prefecture_officer', 'county_officer', 'township_officer', 'village_team') THEN v_scope
    WHEN p_access = 'aggregates' AND v_role IN ('province_admin', 'prefecture_officer', 'county_officer', 'township_officer', 'village_team', 'department_viewer', 'leader') THEN v_scope
    WHEN p_access = 'audit' AND v_role = 'auditor' THEN v_scope
    WHEN p_access = 'field' AND v_role = 'village_team' THEN v_scope
  END;
END
$$;
REVOKE ALL ON FUNCTION povmap_caller_scope(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_caller_scope(text) TO povmap_app;

-- The helpers of migration 0004, now from the session (inlined: one call each).
CREATE OR REPLACE FUNCTION povmap_scope() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT povmap_caller_scope('any')
$$;
CREATE OR REPLACE FUNCTION povmap_role() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT c.role FROM povmap_session_caller() c WHERE c.factor_ok
$$;
CREATE OR REPLACE FUNCTION povmap_sees_registry() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT povmap_caller_scope('registry') IS NOT NULL
$$;
CREATE OR REPLACE FUNCTION povmap_sees_aggregates() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT povmap_caller_scope('aggregates') IS NOT NULL
$$;
-- Per row it would now look the session up for every row; nothing calls it: compare with
-- (SELECT povmap_scope()), evaluated once per statement.
DROP FUNCTION povmap_in_scope(text);
CREATE FUNCTION povmap_user_id() RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT c.user_id FROM povmap_session_caller() c
$$;

-- ---- the policies, from the session ---------------------------------------------------------------------------
DROP POLICY household_in_scope ON household;
CREATE POLICY household_in_scope ON household FOR SELECT TO povmap_app
  USING (starts_with(village_code, (SELECT povmap_caller_scope('registry'))));
DROP POLICY household_year_in_scope ON household_year;
CREATE POLICY household_year_in_scope ON household_year FOR SELECT TO povmap_app
  USING (starts_with(village_code, (SELECT povmap_caller_scope('registry'))));
DROP POLICY member_in_scope ON member;
CREATE POLICY member_in_scope ON member FOR SELECT TO povmap_app
  USING (EXISTS (SELECT 1 FROM household h WHERE h.id = household_id AND starts_with(h.village_code, (SELECT povmap_caller_scope('registry')))));
DROP POLICY household_agg_in_scope ON household_agg;
CREATE POLICY household_agg_in_scope ON household_agg FOR SELECT TO povmap_app
  USING (starts_with(area_code, (SELECT povmap_caller_scope('aggregates'))));
DROP POLICY indicator_value_in_scope ON indicator_value;
CREATE POLICY indicator_value_in_scope ON indicator_value FOR SELECT TO povmap_app
  USING (starts_with(area_code, (SELECT povmap_caller_scope('aggregates'))));
DROP POLICY project_in_scope ON project;
CREATE POLICY project_in_scope ON project FOR SELECT TO povmap_app
  USING (starts_with(COALESCE(village_code, county_code), (SELECT povmap_caller_scope('aggregates')))
         OR (village_code IS NULL AND starts_with((SELECT povmap_caller_scope('aggregates')), county_code)));
DROP POLICY admin_area_on_path ON admin_area;
CREATE POLICY admin_area_on_path ON admin_area FOR SELECT TO povmap_app
  USING (starts_with(code, (SELECT povmap_caller_scope('aggregates'))) OR starts_with((SELECT povmap_caller_scope('aggregates')), code));
DROP POLICY audit_log_auditor_reads ON audit_log;
CREATE POLICY audit_log_auditor_reads ON audit_log FOR SELECT TO povmap_app
  USING (starts_with(area_code, (SELECT povmap_caller_scope('audit'))) OR (area_code IS NULL AND char_length((SELECT povmap_caller_scope('audit'))) = 2));
DROP POLICY photo_in_scope ON photo;
CREATE POLICY photo_in_scope ON photo FOR SELECT TO povmap_app
  USING (CASE WHEN subject = 'household' THEN starts_with(area_code, (SELECT povmap_caller_scope('registry')))
              ELSE starts_with(area_code, (SELECT povmap_caller_scope('aggregates')))
                   OR (subject = 'project' AND char_length(area_code) = 6 AND starts_with((SELECT povmap_caller_scope('aggregates')), area_code)) END);

-- ---- audit rows name the session's user --------------------------------------------------------------------
DROP POLICY audit_log_append ON audit_log;
CREATE POLICY audit_log_append ON audit_log FOR INSERT TO povmap_app
  WITH CHECK (CASE WHEN actor_id IS NULL
                THEN actor_username IS NULL AND actor_role IS NULL AND NOT EXISTS (SELECT 1 FROM povmap_session_caller())
                ELSE EXISTS (SELECT 1 FROM povmap_session_caller() c WHERE c.user_id = actor_id AND c.username = actor_username AND c.role = actor_role)
              END);

-- ---- photos: uploaded by the session's user -------------------------------------------------------------------
DROP POLICY photo_upload ON photo;
CREATE POLICY photo_upload ON photo FOR INSERT TO povmap_app
  WITH CHECK (starts_with(area_code, (SELECT povmap_caller_scope('field')))
              AND uploaded_by = (SELECT povmap_user_id())
              AND CASE subject
                    WHEN 'household' THEN EXISTS (SELECT 1 FROM household h WHERE h.id = household_id AND h.village_code = area_code)
                    WHEN 'project' THEN EXISTS (SELECT 1 FROM project p WHERE p.id = project_id AND COALESCE(p.village_code, p.county_code) = area_code)
                    ELSE EXISTS (SELECT 1 FROM admin_area a WHERE a.code = area_code AND a.level = 'village')
                  END);

-- ---- revealing one household: the actor is the session's user ---------------------------------------------------
CREATE OR REPLACE FUNCTION povmap_reveal_household(p_ref uuid, p_reason text)
RETURNS TABLE (phone text, member_no integer, name text, id_number text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  h record;
BEGIN
  SELECT * INTO c FROM povmap_session_caller() s WHERE s.factor_ok;
  IF NOT FOUND OR c.role NOT IN ('county_officer', 'township_officer', 'village_team') THEN
    RAISE EXCEPTION 'this role may not reveal personal data' USING ERRCODE = '42501';
  END IF;
  IF p_reason IS NULL OR char_length(btrim(p_reason)) < 4 THEN
    RAISE EXCEPTION 'a reason is required to reveal personal data' USING ERRCODE = '22023';
  END IF;
  SELECT x.id, x.village_code, x.phone INTO h FROM household x WHERE x.ref = p_ref AND starts_with(x.village_code, c.scope);
  IF NOT FOUND THEN
    RETURN;
  END IF;
  INSERT INTO audit_log (actor_id, actor_username, actor_role, action, outcome, area_code, target, detail, ip, user_agent, request_id)
  VALUES (c.user_id, c.username, c.role, 'household.reveal', 'ok', h.village_code, p_ref::text, jsonb_build_object('reason', povmap_mask_in_text(left(p_reason, 500))),
          nullif(current_setting('povmap.ip', true), ''), nullif(current_setting('povmap.user_agent', true), ''), nullif(current_setting('povmap.request_id', true), ''));
  -- Row 0 is the household itself (its phone), so a household without members still answers.
  RETURN QUERY
    SELECT h.phone::text, 0, NULL::text, NULL::text
    UNION ALL
    SELECT NULL::text, (row_number() OVER (ORDER BY m.id))::integer, m.name, m.id_number
    FROM member m WHERE m.household_id = h.id;
END
$$;
