-- Access control (issue 6): the role every request runs as, per-request area scope read by row-level
-- security, masked copies of personal fields, local accounts and server-side sessions, and the
-- append-only audit log.
--
-- How a request reads data (server/db/scoped.ts): BEGIN; set_config('role', 'povmap_app', true) and
-- set_config('povmap.scope' | 'povmap.role' | 'povmap.user_id' …, true); the route's queries; COMMIT.
-- Everything is transaction-local, so nothing carries over to the next user of a pooled connection.
-- Without a scope every policy below is false: a query with no scope set sees no row.
-- Migrations, the loader and start-up keep running as the connecting owner.

-- ---- the application role ---------------------------------------------------------------------------
-- Roles belong to the cluster, not the database: another database of the same cluster (a test
-- database, a second deployment) may have created it, concurrently even.
DO $$
BEGIN
  CREATE ROLE povmap_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'povmap_app' AND (rolsuper OR rolbypassrls OR rolcanlogin OR rolcreaterole OR rolcreatedb)) THEN
    RAISE EXCEPTION 'role povmap_app exists with privileges it must not have (superuser, bypassrls, login, createrole or createdb)';
  END IF;
  -- A superuser may SET ROLE to anything; a non-superuser owner needs membership to switch.
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT povmap_app TO %I', current_user);
  END IF;
END
$$;
COMMENT ON ROLE povmap_app IS 'povmap request role: owns nothing, cannot log in or bypass RLS; every request transaction runs SET LOCAL ROLE povmap_app';

-- ---- the caller, as set for the current transaction -------------------------------------------------
-- current_setting(…, true) gives '' (not NULL) once a transaction-local value has been reset in this
-- session: nullif makes "no scope" NULL, and starts_with(x, NULL) is NULL, so no row matches.
CREATE FUNCTION povmap_scope() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT nullif(current_setting('povmap.scope', true), '')
$$;
CREATE FUNCTION povmap_role() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT nullif(current_setting('povmap.role', true), '')
$$;
-- Roles that work with households and people (masked unless revealed).
CREATE FUNCTION povmap_sees_registry() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(povmap_role() IN ('province_admin', 'prefecture_officer', 'county_officer', 'township_officer', 'village_team'), false)
$$;
-- Roles that see aggregates, indicators, projects and divisions (the registry roles plus departments and leaders).
CREATE FUNCTION povmap_sees_aggregates() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(povmap_role() IN ('province_admin', 'prefecture_officer', 'county_officer', 'township_officer', 'village_team', 'department_viewer', 'leader'), false)
$$;
-- The code is the caller's area or below it.
CREATE FUNCTION povmap_in_scope(code text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(starts_with(code, povmap_scope()), false)
$$;

-- ---- masked copies of personal fields (GB/T 35273 display masking) ----------------------------------
-- The request role may read the masked columns only; the originals are reachable through
-- povmap_reveal_household() below, which checks the caller and writes the audit row itself.
CREATE FUNCTION povmap_mask_name(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v IS NULL OR v = '' THEN v ELSE left(v, 1) || repeat('*', greatest(char_length(v) - 1, 1)) END
$$;
CREATE FUNCTION povmap_mask_id_number(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v IS NULL THEN NULL WHEN char_length(v) >= 10 THEN left(v, 6) || repeat('*', char_length(v) - 10) || right(v, 4) ELSE repeat('*', char_length(v)) END
$$;
CREATE FUNCTION povmap_mask_phone(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v IS NULL THEN NULL WHEN char_length(v) >= 7 THEN left(v, 3) || repeat('*', char_length(v) - 7) || right(v, 4) ELSE repeat('*', char_length(v)) END
$$;

-- ID numbers and mobile numbers inside free text (a reason typed by a user) are masked before they are kept.
CREATE FUNCTION povmap_mask_in_text(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(regexp_replace(v, '([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])', '\1********\2', 'g'), '(1[3-9][0-9])[0-9]{4}([0-9]{4})', '\1****\2', 'g')
$$;

ALTER TABLE household
  ADD COLUMN ref uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN phone_masked text GENERATED ALWAYS AS (povmap_mask_phone(phone)) STORED;
CREATE UNIQUE INDEX household_ref_idx ON household (ref);
COMMENT ON COLUMN household.ref IS 'opaque household id for URLs of personal detail (the internal id is sequential)';
COMMENT ON COLUMN household.phone_masked IS 'phone as 138****5678; the request role cannot read phone itself';

ALTER TABLE member
  ADD COLUMN name_masked text GENERATED ALWAYS AS (povmap_mask_name(name)) STORED,
  ADD COLUMN id_number_masked text GENERATED ALWAYS AS (povmap_mask_id_number(id_number)) STORED;
COMMENT ON COLUMN member.name_masked IS 'name as 张*; the request role cannot read name itself';
COMMENT ON COLUMN member.id_number_masked IS 'ID number as 433124********1234; the request role cannot read id_number itself';

-- ---- grants: only what the routes need ----------------------------------------------------------------
GRANT USAGE ON SCHEMA public TO povmap_app;
GRANT SELECT ON admin_area, indicator_def, indicator_value, road, water, school, clinic, household_year, project, household_agg, tile_layer_version TO povmap_app;
DO $$
DECLARE
  cols text;
BEGIN
  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
  FROM pg_attribute WHERE attrelid = 'household'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'phone';
  EXECUTE format('GRANT SELECT (%s) ON household TO povmap_app', cols);
  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
  FROM pg_attribute WHERE attrelid = 'member'::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT IN ('name', 'id_number');
  EXECUTE format('GRANT SELECT (%s) ON member TO povmap_app', cols);
END
$$;
-- Derived-table maintenance is the owner's (the loader's) business.
REVOKE EXECUTE ON FUNCTION refresh_household_agg(text[]) FROM PUBLIC;

-- ---- row-level security --------------------------------------------------------------------------------
-- The policies compare with the caller's settings through scalar subqueries, (SELECT povmap_scope()),
-- which the planner evaluates once per statement instead of once per row. A NULL scope makes
-- starts_with() NULL: the row is hidden.
--
-- Under RLS, a condition of the query can drive an index only when its operator is LEAKPROOF;
-- PostGIS does not mark the bounding-box operator && so, and every tile query would scan its whole
-- table (measured on the demo: a z14 household tile 1.5 ms → 120 ms). && compares bounding boxes and
-- raises no error on any input (mixed SRIDs and empty geometries included): it leaks nothing, and
-- is declared so. Only a superuser may; a non-superuser owner gets correct but slower tiles.
DO $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    ALTER FUNCTION geometry_overlaps(geometry, geometry) LEAKPROOF;
  ELSE
    RAISE NOTICE 'not a superuser: geometry_overlaps (&&) stays non-LEAKPROOF; tile queries will not use spatial indexes under RLS';
  END IF;
END
$$;

-- FORCE: the policies apply to the table owner too, unless it is a superuser. A non-superuser owner
-- (migrations, loader) gets a policy of its own, created for whoever runs this migration.
ALTER TABLE household ENABLE ROW LEVEL SECURITY;
ALTER TABLE household FORCE ROW LEVEL SECURITY;
CREATE POLICY household_in_scope ON household FOR SELECT TO povmap_app
  USING ((SELECT povmap_sees_registry()) AND starts_with(village_code, (SELECT povmap_scope())));

ALTER TABLE household_year ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_year FORCE ROW LEVEL SECURITY;
CREATE POLICY household_year_in_scope ON household_year FOR SELECT TO povmap_app
  USING ((SELECT povmap_sees_registry()) AND EXISTS (SELECT 1 FROM household h WHERE h.id = household_id AND starts_with(h.village_code, (SELECT povmap_scope()))));

ALTER TABLE member ENABLE ROW LEVEL SECURITY;
ALTER TABLE member FORCE ROW LEVEL SECURITY;
CREATE POLICY member_in_scope ON member FOR SELECT TO povmap_app
  USING ((SELECT povmap_sees_registry()) AND EXISTS (SELECT 1 FROM household h WHERE h.id = household_id AND starts_with(h.village_code, (SELECT povmap_scope()))));

-- Aggregates, indicators, projects and divisions: officials see their own area and nothing else.
ALTER TABLE household_agg ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_agg FORCE ROW LEVEL SECURITY;
CREATE POLICY household_agg_in_scope ON household_agg FOR SELECT TO povmap_app
  USING ((SELECT povmap_sees_aggregates()) AND starts_with(area_code, (SELECT povmap_scope())));

ALTER TABLE indicator_value ENABLE ROW LEVEL SECURITY;
ALTER TABLE indicator_value FORCE ROW LEVEL SECURITY;
CREATE POLICY indicator_value_in_scope ON indicator_value FOR SELECT TO povmap_app
  USING ((SELECT povmap_sees_aggregates()) AND starts_with(area_code, (SELECT povmap_scope())));

ALTER TABLE project ENABLE ROW LEVEL SECURITY;
ALTER TABLE project FORCE ROW LEVEL SECURITY;
-- A village project belongs to its village; a county-wide one (no village) to everyone in the county.
CREATE POLICY project_in_scope ON project FOR SELECT TO povmap_app
  USING ((SELECT povmap_sees_aggregates()) AND (starts_with(COALESCE(village_code, county_code), (SELECT povmap_scope()))
         OR (village_code IS NULL AND starts_with((SELECT povmap_scope()), county_code))));

ALTER TABLE admin_area ENABLE ROW LEVEL SECURITY;
ALTER TABLE admin_area FORCE ROW LEVEL SECURITY;
CREATE POLICY admin_area_on_path ON admin_area FOR SELECT TO povmap_app
  USING ((SELECT povmap_sees_aggregates()) AND (starts_with(code, (SELECT povmap_scope())) OR starts_with((SELECT povmap_scope()), code)));

-- ---- accounts and sessions -----------------------------------------------------------------------------
CREATE TABLE app_user (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,39}$'),
  display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 80),
  role text NOT NULL CHECK (role IN ('province_admin', 'prefecture_officer', 'county_officer', 'township_officer', 'village_team', 'department_viewer', 'leader', 'auditor')),
  -- No foreign key: a data load replaces admin_area, accounts stay.
  scope_code text NOT NULL CHECK (scope_code ~ '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$'),
  department text CHECK (department IN ('transport', 'water', 'education', 'health')),
  password_hash text NOT NULL,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  totp_secret text,
  totp_enabled boolean NOT NULL DEFAULT false,
  totp_last_step bigint,
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz,
  CHECK ((role = 'department_viewer') = (department IS NOT NULL)),
  CHECK (NOT totp_enabled OR totp_secret IS NOT NULL)
);
COMMENT ON TABLE app_user IS 'Local accounts: argon2id password hashes, TOTP second factor, lockout; scope_code = the area the user sees (and everything below it)';
GRANT SELECT, INSERT ON app_user TO povmap_app;
GRANT UPDATE (password_hash, password_changed_at, totp_secret, totp_enabled, totp_last_step, failed_logins, locked_until, disabled, last_login_at) ON app_user TO povmap_app;

CREATE TABLE app_session (
  -- sha256 of the session id: a copy of this table does not give usable cookies.
  sid_hash text PRIMARY KEY CHECK (sid_hash ~ '^[0-9a-f]{64}$'),
  user_id integer REFERENCES app_user (id) ON DELETE CASCADE,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX app_session_user_idx ON app_session (user_id);
CREATE INDEX app_session_expires_idx ON app_session (expires_at);
COMMENT ON TABLE app_session IS 'Server-side sessions (anonymous pre-login sessions hold only a CSRF secret); deleted at logout, when the user is disabled, or when idle/expired';
GRANT SELECT, INSERT, UPDATE, DELETE ON app_session TO povmap_app;

-- Secrets of this deployment (the session cookie signing key), read by the owner at start-up only.
CREATE TABLE app_secret (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- ---- audit log -------------------------------------------------------------------------------------------
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- No foreign key: the log outlives accounts.
  actor_id integer,
  actor_username text,
  actor_role text,
  action text NOT NULL CHECK (action ~ '^[a-z][a-z_.]*$'),
  outcome text NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
  area_code text,
  target text,
  detail jsonb NOT NULL DEFAULT '{}',
  ip text,
  user_agent text,
  request_id text
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_username, id);
CREATE INDEX audit_log_area_idx ON audit_log (area_code text_pattern_ops, id);
COMMENT ON TABLE audit_log IS 'Who did what, when, from where: logins, authorisation failures, reads of personal detail, reveals, changes, exports. Append-only; never holds ID numbers, phones or passwords';
GRANT INSERT, SELECT ON audit_log TO povmap_app;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_append ON audit_log FOR INSERT TO povmap_app WITH CHECK (true);
-- Auditors read the entries of their area; entries without an area (failed logins of unknown names)
-- only an auditor of the whole province reads.
CREATE POLICY audit_log_auditor_reads ON audit_log FOR SELECT TO povmap_app
  USING ((SELECT povmap_role()) = 'auditor' AND (starts_with(area_code, (SELECT povmap_scope())) OR (area_code IS NULL AND char_length((SELECT povmap_scope())) = 2)));

-- Append-only for everyone, the owner included (the request role has no UPDATE/DELETE grant anyway).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = '42501';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- ---- owner policies (non-superuser owners only; superusers bypass RLS anyway) ----------------------------
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['household', 'household_year', 'member', 'household_agg', 'indicator_value', 'project', 'admin_area', 'audit_log'] LOOP
    EXECUTE format('CREATE POLICY owner_all ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
  END LOOP;
END
$$;

-- ---- revealing one household (the only way to the unmasked fields) ------------------------------------
-- Checks the caller's role and scope from the transaction's settings, writes the audit row in the same
-- transaction, then returns the household's phone (row 0) and its members' names and ID numbers (rows 1…, in
-- member order).
-- No row (and no audit row) when the household is not in the caller's scope.
CREATE FUNCTION povmap_reveal_household(p_ref uuid, p_reason text)
RETURNS TABLE (phone text, member_no integer, name text, id_number text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  h record;
BEGIN
  IF COALESCE(povmap_role() IN ('county_officer', 'township_officer', 'village_team'), false) IS NOT TRUE THEN
    RAISE EXCEPTION 'this role may not reveal personal data' USING ERRCODE = '42501';
  END IF;
  IF p_reason IS NULL OR char_length(btrim(p_reason)) < 4 THEN
    RAISE EXCEPTION 'a reason is required to reveal personal data' USING ERRCODE = '22023';
  END IF;
  SELECT x.id, x.village_code, x.phone INTO h FROM household x WHERE x.ref = p_ref AND povmap_in_scope(x.village_code);
  IF NOT FOUND THEN
    RETURN;
  END IF;
  INSERT INTO audit_log (actor_id, actor_username, actor_role, action, outcome, area_code, target, detail, ip, user_agent, request_id)
  VALUES (nullif(current_setting('povmap.user_id', true), '')::integer, nullif(current_setting('povmap.username', true), ''), povmap_role(),
          'household.reveal', 'ok', h.village_code, p_ref::text, jsonb_build_object('reason', povmap_mask_in_text(left(p_reason, 500))),
          nullif(current_setting('povmap.ip', true), ''), nullif(current_setting('povmap.user_agent', true), ''), nullif(current_setting('povmap.request_id', true), ''));
  -- Row 0 is the household itself (its phone), so a household without members still answers.
  RETURN QUERY
    SELECT h.phone::text, 0, NULL::text, NULL::text
    UNION ALL
    SELECT NULL::text, (row_number() OVER (ORDER BY m.id))::integer, m.name, m.id_number
    FROM member m WHERE m.household_id = h.id;
END
$$;
REVOKE ALL ON FUNCTION povmap_reveal_household(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_reveal_household(uuid, text) TO povmap_app;
