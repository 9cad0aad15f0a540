-- Cross-checks with other departments' registries (数据比对) and mis-identification flags (错评/漏评), issue 17.
--
-- A registry file (养老保险, 医保, 低保/特困, 户籍变动, 机动车, 企业, 财政供养, 危房鉴定, 学籍) is imported into
-- xc_import + xc_record by a registry role for its own area; povmap_crosscheck_match() (SECURITY DEFINER:
-- the request role cannot read member.id_number) matches its records to members by ID number; the rules'
-- statements (server/crosschecks/rule-queries.ts) then write xc_flag rows as the caller, under row-level
-- security. Flags are reviewed open → confirmed | cleared by the area's county, township and village
-- officers, each step kept in xc_flag_review. No foreign key to the registry tables: a data load
-- truncates and reloads them (ids of a reload with the same seed are the same).

-- ID numbers of external records are matched here, many at once.
CREATE INDEX IF NOT EXISTS member_id_number_idx ON member (id_number);

-- ---- imports and their records ------------------------------------------------------------------------------
CREATE TABLE xc_import (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  registry text NOT NULL CHECK (registry IN ('social_security', 'medical_insurance', 'civil_affairs', 'population', 'vehicles', 'companies', 'payroll', 'housing_safety', 'school_rolls')),
  area_code text NOT NULL CHECK (area_code ~ '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$'),
  file_name text CHECK (char_length(file_name) <= 200),
  format text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  rows integer NOT NULL CHECK (rows >= 0),
  matched integer NOT NULL DEFAULT 0,
  -- NULL: written by the demo loader (the owner), not through a session.
  imported_by integer,
  imported_by_username text,
  imported_at timestamptz NOT NULL DEFAULT now(),
  -- A later import of the same registry for this area (or one above it) replaces this one's records.
  superseded_by bigint REFERENCES xc_import (id)
);
COMMENT ON TABLE xc_import IS 'One imported registry file of another department, for an area (the importer''s); the latest per registry and area is current';
CREATE INDEX xc_import_registry_idx ON xc_import (registry, area_code) WHERE superseded_by IS NULL;

CREATE TABLE xc_record (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  import_id bigint NOT NULL REFERENCES xc_import (id) ON DELETE CASCADE,
  import_area text NOT NULL,
  row_no integer NOT NULL,
  id_number text NOT NULL CHECK (id_number ~ '^[0-9]{17}[0-9X]$'),
  name text NOT NULL,
  id_number_masked text GENERATED ALWAYS AS (povmap_mask_id_number(id_number)) STORED,
  name_masked text GENERATED ALWAYS AS (povmap_mask_name(name)) STORED,
  -- The row's other columns by key (domain/crosschecks/registries.ts): no ID number or name in it.
  fields jsonb NOT NULL,
  -- The record's own 行政区划代码, where its registry has one (civil affairs, housing).
  area_code text,
  -- Set by povmap_crosscheck_match: the member with this ID number in the import's area, and a keyed hash
  -- of the ID number (the same person across imports, without the number).
  member_id bigint,
  household_id bigint,
  village_code text,
  person_key text
);
COMMENT ON TABLE xc_record IS 'Rows of imported external registries; id_number and name are personal data the request role cannot read (masked copies only)';
CREATE INDEX xc_record_import_idx ON xc_record (import_id);
CREATE INDEX xc_record_member_idx ON xc_record (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX xc_record_household_idx ON xc_record (household_id) WHERE household_id IS NOT NULL;

-- ---- flags and their reviews ----------------------------------------------------------------------------------
CREATE TABLE xc_flag (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rule text NOT NULL CHECK (rule ~ '^[a-z][a-z_]*$'),
  -- What is flagged, stable across imports: 'm:<member id>', 'h:<household id>' or 'p:<person key>' (unregistered).
  subject text NOT NULL,
  -- The registry year a mis-identification flag looks at; 0 for cross-check flags (not tied to a year).
  year integer NOT NULL DEFAULT 0,
  household_id bigint,
  member_id bigint,
  record_id bigint,
  import_id bigint,
  village_code text NOT NULL CHECK (village_code ~ '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$'),
  -- The two sides: { registry: {…}, external: {…} } (masked; never an ID number or a name in clear).
  evidence jsonb NOT NULL DEFAULT '{}',
  -- Mis-identification: the ranking score and its reasons [{ code, weight, … }].
  score double precision,
  reasons jsonb NOT NULL DEFAULT '[]',
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'confirmed', 'cleared')),
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_by integer,
  decided_by_username text,
  decided_at timestamptz,
  note text CHECK (char_length(note) <= 1000),
  UNIQUE (rule, subject, year),
  CHECK ((state = 'open') = (decided_at IS NULL)),
  CHECK (state = 'open' OR (note IS NOT NULL AND char_length(btrim(note)) >= 2))
);
COMMENT ON TABLE xc_flag IS 'A cross-check rule''s or a mis-identification check''s finding on a household, member or unregistered person; reviewed open → confirmed | cleared with a note';
CREATE INDEX xc_flag_village_idx ON xc_flag (village_code text_pattern_ops, rule, state);

CREATE TABLE xc_flag_review (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  flag_id bigint NOT NULL REFERENCES xc_flag (id) ON DELETE CASCADE,
  village_code text NOT NULL,
  state text NOT NULL CHECK (state IN ('confirmed', 'cleared')),
  note text NOT NULL CHECK (char_length(note) BETWEEN 2 AND 1000),
  decided_by integer NOT NULL,
  decided_by_username text NOT NULL,
  decided_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE xc_flag_review IS 'Each decision on a flag: who, when, the outcome and the evidence note';
CREATE INDEX xc_flag_review_flag_idx ON xc_flag_review (flag_id);

-- A decided flag stays decided; its evidence and score no longer change.
CREATE FUNCTION xc_flag_decided_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state <> 'open' THEN
    RAISE EXCEPTION 'flag % is already %', OLD.id, OLD.state USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER xc_flag_decided_once BEFORE UPDATE ON xc_flag FOR EACH ROW EXECUTE FUNCTION xc_flag_decided_once();

-- ---- grants and row-level security -----------------------------------------------------------------------------
-- Registry roles, within their area: they import, read the flags and records (masked) and scan; the
-- county, township and village officers decide.
GRANT SELECT, INSERT ON xc_import TO povmap_app;
GRANT INSERT ON xc_record TO povmap_app;
GRANT SELECT (id, import_id, import_area, row_no, id_number_masked, name_masked, fields, area_code, member_id, household_id, village_code, person_key) ON xc_record TO povmap_app;
GRANT SELECT, INSERT ON xc_flag TO povmap_app;
GRANT UPDATE (evidence, score, reasons, state, decided_by, decided_by_username, decided_at, note) ON xc_flag TO povmap_app;
GRANT SELECT, INSERT ON xc_flag_review TO povmap_app;

ALTER TABLE xc_import ENABLE ROW LEVEL SECURITY;
ALTER TABLE xc_import FORCE ROW LEVEL SECURITY;
CREATE POLICY xc_import_in_scope ON xc_import FOR SELECT TO povmap_app
  USING (starts_with(area_code, (SELECT povmap_caller_scope('registry'))));
CREATE POLICY xc_import_own ON xc_import FOR INSERT TO povmap_app
  WITH CHECK (starts_with(area_code, (SELECT povmap_caller_scope('registry'))) AND imported_by = (SELECT povmap_user_id())
              AND matched = 0 AND superseded_by IS NULL);

ALTER TABLE xc_record ENABLE ROW LEVEL SECURITY;
ALTER TABLE xc_record FORCE ROW LEVEL SECURITY;
-- A matched record belongs to its household's village; an unmatched one to its own area where it names one,
-- else to the import's area (a village team never sees a county file's strangers).
CREATE POLICY xc_record_in_scope ON xc_record FOR SELECT TO povmap_app
  USING (starts_with(COALESCE(village_code, area_code, import_area), (SELECT povmap_caller_scope('registry'))));
CREATE POLICY xc_record_own_import ON xc_record FOR INSERT TO povmap_app
  WITH CHECK (starts_with(import_area, (SELECT povmap_caller_scope('registry'))) AND member_id IS NULL AND household_id IS NULL
              AND village_code IS NULL AND person_key IS NULL
              AND EXISTS (SELECT 1 FROM xc_import i WHERE i.id = import_id AND i.area_code = import_area AND i.imported_by = (SELECT povmap_user_id()) AND i.superseded_by IS NULL));

ALTER TABLE xc_flag ENABLE ROW LEVEL SECURITY;
ALTER TABLE xc_flag FORCE ROW LEVEL SECURITY;
CREATE POLICY xc_flag_in_scope ON xc_flag FOR SELECT TO povmap_app
  USING (starts_with(village_code, (SELECT povmap_caller_scope('registry'))));
CREATE POLICY xc_flag_raise ON xc_flag FOR INSERT TO povmap_app
  WITH CHECK (starts_with(village_code, (SELECT povmap_caller_scope('registry'))) AND state = 'open' AND decided_by IS NULL);
-- Any registry role of the area refreshes an open flag's evidence and score; only the officers who work case
-- by case decide, in their own name.
CREATE POLICY xc_flag_update ON xc_flag FOR UPDATE TO povmap_app
  USING (starts_with(village_code, (SELECT povmap_caller_scope('registry'))))
  WITH CHECK (starts_with(village_code, (SELECT povmap_caller_scope('registry')))
              AND (state = 'open' AND decided_by IS NULL
                   OR (decided_by = (SELECT povmap_user_id()) AND (SELECT povmap_role()) IN ('county_officer', 'township_officer', 'village_team'))));

ALTER TABLE xc_flag_review ENABLE ROW LEVEL SECURITY;
ALTER TABLE xc_flag_review FORCE ROW LEVEL SECURITY;
CREATE POLICY xc_flag_review_in_scope ON xc_flag_review FOR SELECT TO povmap_app
  USING (starts_with(village_code, (SELECT povmap_caller_scope('registry'))));
CREATE POLICY xc_flag_review_own ON xc_flag_review FOR INSERT TO povmap_app
  WITH CHECK (starts_with(village_code, (SELECT povmap_caller_scope('registry'))) AND decided_by = (SELECT povmap_user_id())
              AND (SELECT povmap_role()) IN ('county_officer', 'township_officer', 'village_team')
              AND EXISTS (SELECT 1 FROM xc_flag f WHERE f.id = flag_id AND f.village_code = xc_flag_review.village_code AND f.state = xc_flag_review.state));

-- Non-superuser owners (migrations, the demo loader) get a policy of their own, as in migration 0004.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['xc_import', 'xc_record', 'xc_flag', 'xc_flag_review'] LOOP
    EXECUTE format('CREATE POLICY owner_all ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
  END LOOP;
END
$$;

-- The key of person_key (a keyed hash, so that the hash of an ID number cannot be looked up by trying numbers).
INSERT INTO app_secret (name, value) VALUES ('crosscheck_person_key', md5(gen_random_uuid()::text || clock_timestamp()::text) || md5(gen_random_uuid()::text))
ON CONFLICT (name) DO NOTHING;

-- ---- matching an import to the registry ------------------------------------------------------------------------
-- Checks that the import is the calling session's own (or the loader's, without a session), lets it replace the
-- earlier imports of the same registry in its area, then matches its records to the members of households in
-- its area by ID number. Returns the number of records matched.
CREATE FUNCTION povmap_crosscheck_match(p_import bigint) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  i record;
  v_scope text;
  v_key text;
  n integer;
BEGIN
  SELECT * INTO i FROM xc_import WHERE id = p_import;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no import %', p_import USING ERRCODE = '22023';
  END IF;
  IF nullif(current_setting('povmap.sid', true), '') IS NOT NULL OR i.imported_by IS NOT NULL THEN
    v_scope := povmap_caller_scope('registry');
    IF v_scope IS NULL OR NOT starts_with(i.area_code, v_scope) OR i.imported_by IS DISTINCT FROM povmap_user_id() THEN
      RAISE EXCEPTION 'import % is not the caller''s', p_import USING ERRCODE = '42501';
    END IF;
  END IF;
  IF i.superseded_by IS NOT NULL OR i.matched > 0 THEN
    RAISE EXCEPTION 'import % was matched already', p_import USING ERRCODE = '55000';
  END IF;
  UPDATE xc_import SET superseded_by = p_import
  WHERE registry = i.registry AND id < p_import AND superseded_by IS NULL AND starts_with(area_code, i.area_code);
  DELETE FROM xc_record r USING xc_import o WHERE r.import_id = o.id AND o.superseded_by = p_import;
  SELECT value INTO v_key FROM app_secret WHERE name = 'crosscheck_person_key';
  UPDATE xc_record r
  SET person_key = md5(v_key || r.id_number), member_id = x.member_id, household_id = x.household_id, village_code = x.village_code
  FROM (
    SELECT DISTINCT ON (r2.id) r2.id, m.id AS member_id, h.id AS household_id, h.village_code
    FROM xc_record r2
    LEFT JOIN (member m JOIN household h ON h.id = m.household_id AND starts_with(h.village_code, i.area_code)) ON m.id_number = r2.id_number
    WHERE r2.import_id = p_import
    ORDER BY r2.id, m.id
  ) x
  WHERE r.id = x.id;
  SELECT count(*) INTO n FROM xc_record WHERE import_id = p_import AND member_id IS NOT NULL;
  UPDATE xc_import SET matched = n WHERE id = p_import;
  RETURN n;
END
$$;
REVOKE ALL ON FUNCTION povmap_crosscheck_match(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_crosscheck_match(bigint) TO povmap_app;
