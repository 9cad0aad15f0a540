-- Issue 14: four eyes on accounts (finding 5), ID numbers masked down to the area (low), stable household
-- refs (low).

-- ---- account requests -----------------------------------------------------------------------------------
-- A province administrator may not reveal personal data, audit, or approve for itself, yet could create
-- accounts that may, and disable the auditors who watch it. Creating an account of a role that may
-- reveal (county_officer, township_officer, village_team), audit (auditor) or administer (province_admin,
-- who would approve the rest), and disabling an auditor, are requests: another province administrator or
-- an auditor whose area holds the account decides, never the requester, nor the auditor to be disabled.
-- The account exists only once approved; its initial password is made then and shown to the approver
-- once (server/routes/account-requests.ts), so the requester never holds it. Nothing here is ever deleted.
CREATE TABLE account_request (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('create', 'disable')),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
  -- The account: the one to create, or the one to disable as it was when asked.
  username text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,39}$'),
  display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 80),
  role text NOT NULL CHECK (role IN ('province_admin', 'prefecture_officer', 'county_officer', 'township_officer', 'village_team', 'department_viewer', 'leader', 'auditor')),
  scope_code text NOT NULL CHECK (scope_code ~ '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$'),
  department text CHECK (department IN ('transport', 'water', 'education', 'health')),
  -- disable: the account to disable; create: the account made at approval. No foreign keys: requests,
  -- like the audit log, outlive accounts.
  user_id integer,
  requested_by integer NOT NULL,
  requested_by_username text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  decided_by integer,
  decided_by_username text,
  decided_at timestamptz,
  CHECK ((role = 'department_viewer') = (department IS NOT NULL)),
  CHECK (kind = 'create' OR user_id IS NOT NULL),
  CHECK ((state = 'pending') = (decided_by IS NULL AND decided_by_username IS NULL AND decided_at IS NULL)),
  CONSTRAINT account_request_four_eyes CHECK (state <> 'approved' OR decided_by <> requested_by),
  CONSTRAINT account_request_not_own_disable CHECK (kind <> 'disable' OR state = 'pending' OR decided_by <> user_id)
);
-- One pending request per username to create and per account to disable.
CREATE UNIQUE INDEX account_request_pending_create_idx ON account_request (username) WHERE kind = 'create' AND state = 'pending';
CREATE UNIQUE INDEX account_request_pending_disable_idx ON account_request (user_id) WHERE kind = 'disable' AND state = 'pending';
CREATE INDEX account_request_scope_idx ON account_request (scope_code text_pattern_ops, id);
COMMENT ON TABLE account_request IS 'Four eyes on accounts: creating a province_admin, county_officer, township_officer, village_team or auditor account, and disabling an auditor, wait here for a second person (another province administrator or an auditor of the area); never holds a password';

-- Account administration runs as the accounts role (migration 0009); the request role gets nothing.
-- The accounts role carries no session, so the policies below hold what a row may become (new rows are
-- pending and undecided; a decision is made once, by someone other than the requester, see the checks
-- above), and the route checks who decides (server/routes/account-requests.ts).
GRANT SELECT, INSERT ON account_request TO povmap_auth;
GRANT UPDATE (state, decided_by, decided_by_username, decided_at, user_id) ON account_request TO povmap_auth;
ALTER TABLE account_request ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_request FORCE ROW LEVEL SECURITY;
CREATE POLICY account_request_read ON account_request FOR SELECT TO povmap_auth USING (true);
CREATE POLICY account_request_ask ON account_request FOR INSERT TO povmap_auth WITH CHECK (state = 'pending' AND (kind = 'disable' OR user_id IS NULL));
-- A pending request is decided; an approved creation gets its account's id in the same transaction.
CREATE POLICY account_request_decide ON account_request FOR UPDATE TO povmap_auth
  USING (state = 'pending' OR (kind = 'create' AND state = 'approved' AND user_id IS NULL AND decided_at = now()))
  WITH CHECK (state <> 'pending');
DO $$
BEGIN
  EXECUTE format('CREATE POLICY owner_all ON account_request TO %I USING (true) WITH CHECK (true)', current_user);
END
$$;

-- The same line for accounts, whatever a route does: a role other than the owner (migrations, demo
-- accounts, tests) creates an account of these roles, or disables an auditor, only in the transaction
-- that approved the request for it, and changes no account's role or area (no route does; that would
-- be a new account's rights without a request).
CREATE FUNCTION app_user_four_eyes() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' AND NEW.role IN ('province_admin', 'county_officer', 'township_officer', 'village_team', 'auditor') THEN
    IF NOT EXISTS (SELECT 1 FROM account_request r
                   WHERE r.kind = 'create' AND r.state = 'approved' AND r.decided_at = now() AND r.user_id IS NULL
                     AND r.username = NEW.username AND r.role = NEW.role AND r.scope_code = NEW.scope_code) THEN
      RAISE EXCEPTION 'an account of role % needs an approved account request (four eyes)', NEW.role USING ERRCODE = '42501';
    END IF;
  ELSIF TG_OP = 'UPDATE' AND (NEW.role IS DISTINCT FROM OLD.role OR NEW.scope_code IS DISTINCT FROM OLD.scope_code) THEN
    RAISE EXCEPTION 'an account''s role or area is not changed: ask for a new account (four eyes)' USING ERRCODE = '42501';
  ELSIF TG_OP = 'UPDATE' AND NEW.disabled AND NOT OLD.disabled AND OLD.role = 'auditor' THEN
    IF NOT EXISTS (SELECT 1 FROM account_request r
                   WHERE r.kind = 'disable' AND r.state = 'approved' AND r.decided_at = now() AND r.user_id = OLD.id) THEN
      RAISE EXCEPTION 'disabling an auditor needs an approved account request (four eyes)' USING ERRCODE = '42501';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER app_user_four_eyes BEFORE INSERT OR UPDATE OF disabled, role, scope_code ON app_user FOR EACH ROW EXECUTE FUNCTION app_user_four_eyes();

-- ---- ID numbers: the area and the last two characters -------------------------------------------------------
-- 433124 19800101 001 X: keeping the last four (sequence and check digit) beside the birth year and sex
-- the member list shows left a few dozen candidates for the whole number. Now only the area (6) and the
-- last two (one sequence digit and the check digit) stay: 433124**********1X. Shorter values than a
-- 15- or 18-character ID number are masked whole. server/auth/masking.ts applies the same rule.
CREATE OR REPLACE FUNCTION povmap_mask_id_number(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v IS NULL THEN NULL WHEN char_length(v) >= 15 THEN left(v, 6) || repeat('*', char_length(v) - 8) || right(v, 2) ELSE repeat('*', char_length(v)) END
$$;
CREATE OR REPLACE FUNCTION povmap_mask_in_text(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(regexp_replace(v, '([0-9]{6})[0-9]{10}([0-9][0-9Xx])', '\1**********\2', 'g'), '(1[3-9][0-9])[0-9]{4}([0-9]{4})', '\1****\2', 'g')
$$;
-- A stored generated column is computed when its row is written: rewrite the rows whose mask changes
-- (the column, its grant to the request role and its comment stay as they are).
UPDATE member SET id_number = id_number WHERE id_number_masked IS DISTINCT FROM povmap_mask_id_number(id_number);
COMMENT ON COLUMN member.id_number_masked IS 'ID number as 433124**********1X (area and last two); the request role cannot read id_number itself';
-- Captions were kept masked the old way (433124********001X); mask them the new way too. The audit log is
-- append-only: reasons written before keep the old mask.
UPDATE photo SET caption = regexp_replace(caption, '([0-9]{6})\*{8}[0-9]{2}([0-9][0-9Xx])', '\1**********\2', 'g')
WHERE caption ~ '[0-9]{6}\*{8}[0-9]{3}[0-9Xx]';

-- ---- household refs ------------------------------------------------------------------------------------------
COMMENT ON COLUMN household.ref IS 'opaque household id for every URL that names a household: for loaded households a keyed hash of the registry id, the same at every reload (geodata/load/household-refs.ts, key in app_secret); random for households added later';
