-- Cross-check imports set-based (issue 17: 1 M external records cross-checked under 2 minutes).
--
-- Before: the caller inserted the records into xc_record row by row under row-level security (an EXISTS on
-- xc_import per row) and a foreign key (a lookup and a row lock per row); povmap_crosscheck_match then
-- rewrote every record to set the match. Now the records are COPYed into a staging table of the
-- transaction (a temporary table: no WAL, no constraint, no policy, no index), and povmap_crosscheck_match
-- writes them into xc_record once, matched by one hash join on the ID number. The import's ownership is
-- checked once per import instead of once per row; the records' import is the checked one by construction.
--
-- Semantics kept: a file with any error never reaches the database (the row-by-row check runs first, in
-- server/crosschecks/import.ts); a record matches the lowest-id member with its ID number among the
-- households of the import's area; record ids follow the file's rows; a later import of the registry for
-- the area replaces the earlier one's records.

-- No per-row foreign key: records are written only by povmap_crosscheck_match, for the import it checked,
-- and imports are never deleted (superseded ones keep their row, their records go).
ALTER TABLE xc_record DROP CONSTRAINT xc_record_import_id_fkey;
-- The request role no longer writes records itself (they would be unmatched and unchecked).
DROP POLICY xc_record_own_import ON xc_record;
REVOKE INSERT ON xc_record FROM povmap_app;

-- The checks both steps make: the import exists, is the calling session's own (or the loader's, without a
-- session), and has no records yet and has not been replaced. Returns the import. Called by the two
-- definers below only (the request role may not).
CREATE FUNCTION povmap_crosscheck_own_import(p_import bigint) RETURNS xc_import
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
  i xc_import;
  v_scope text;
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
  IF i.superseded_by IS NOT NULL OR i.matched > 0 OR EXISTS (SELECT 1 FROM xc_record r WHERE r.import_id = p_import) THEN
    RAISE EXCEPTION 'import % was matched already', p_import USING ERRCODE = '55000';
  END IF;
  RETURN i;
END
$$;
REVOKE ALL ON FUNCTION povmap_crosscheck_own_import(bigint) FROM PUBLIC;

-- Step 1: an empty staging table pg_temp.xc_stage for the import's records, owned by the owner (so that the
-- request role cannot alter it or hand in a table of its own) and dropped at commit; the request role may
-- only insert into it (COPY).
CREATE FUNCTION povmap_crosscheck_stage(p_import bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM povmap_crosscheck_own_import(p_import);
  DROP TABLE IF EXISTS pg_temp.xc_stage;
  CREATE TEMPORARY TABLE xc_stage (row_no integer NOT NULL, id_number text NOT NULL, name text NOT NULL, fields jsonb NOT NULL, area_code text) ON COMMIT DROP;
  GRANT INSERT ON pg_temp.xc_stage TO povmap_app;
END
$$;
REVOKE ALL ON FUNCTION povmap_crosscheck_stage(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_crosscheck_stage(bigint) TO povmap_app;

-- Step 2: lets the import replace the earlier imports of the same registry in its area, then writes the
-- staged records into xc_record in one statement, each with its member (by ID number, in the import's
-- area) and keyed person hash. Returns the number of records matched. work_mem: the join by ID number
-- and the sort by row are hashed and sorted in memory, not in batches on disk.
CREATE OR REPLACE FUNCTION povmap_crosscheck_match(p_import bigint) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET work_mem = '256MB' AS $$
DECLARE
  i xc_import;
  v_stage regclass;
  v_key text;
  v_staged integer;
  n integer;
BEGIN
  i := povmap_crosscheck_own_import(p_import);
  v_stage := to_regclass('pg_temp.xc_stage');
  IF v_stage IS NULL OR (SELECT c.relowner FROM pg_class c WHERE c.oid = v_stage) IS DISTINCT FROM (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) THEN
    RAISE EXCEPTION 'import % has no staged records (povmap_crosscheck_stage first)', p_import USING ERRCODE = '55000';
  END IF;
  SELECT count(*) INTO v_staged FROM pg_temp.xc_stage;
  IF v_staged <> i.rows THEN
    RAISE EXCEPTION 'import % declares % rows, % are staged', p_import, i.rows, v_staged USING ERRCODE = '22023';
  END IF;
  -- Statistics of the rows just staged, so that the join is planned by hash rather than row by row.
  ANALYZE pg_temp.xc_stage;

  UPDATE xc_import SET superseded_by = p_import
  WHERE registry = i.registry AND id < p_import AND superseded_by IS NULL AND starts_with(area_code, i.area_code);
  DELETE FROM xc_record r USING xc_import o WHERE r.import_id = o.id AND o.superseded_by = p_import;
  SELECT value INTO v_key FROM app_secret WHERE name = 'crosscheck_person_key';

  WITH written AS (
    INSERT INTO xc_record (import_id, import_area, row_no, id_number, name, fields, area_code, member_id, household_id, village_code, person_key)
    SELECT p_import, i.area_code, s.row_no, s.id_number, s.name, s.fields, s.area_code, x.member_id, x.household_id, x.village_code, md5(v_key || s.id_number)
    FROM pg_temp.xc_stage s
    LEFT JOIN (
      -- The lowest-id member of the area with each staged ID number.
      SELECT DISTINCT ON (m.id_number) m.id_number, m.id AS member_id, h.id AS household_id, h.village_code
      FROM member m
      JOIN household h ON h.id = m.household_id AND starts_with(h.village_code, i.area_code)
      WHERE m.id_number IN (SELECT s2.id_number FROM pg_temp.xc_stage s2)
      ORDER BY m.id_number, m.id
    ) x ON x.id_number = s.id_number
    ORDER BY s.row_no
    RETURNING member_id
  )
  SELECT count(member_id) INTO n FROM written;
  UPDATE xc_import SET matched = n WHERE id = p_import;
  DROP TABLE pg_temp.xc_stage;
  RETURN n;
END
$$;
