-- Statistical reports (统计报表, issue 19): the registry's facts per village for a report, readable by
-- every role that sees aggregates (leaders and department viewers read no household row), and report
-- snapshots frozen for a period so that later edits do not change a figure already reported.

-- Facts of the registry for the villages of an area in a year, in the caller's area only: per village and
-- fact key, the households and people (household.size). Keys: all, status:<s>, cause:<c>, attr:<a>,
-- gap:<g>, gap:any, exit (lifted this year, poor or returned the year before), return (returned this
-- year, lifted the year before). SECURITY DEFINER because the aggregate roles may not read households;
-- the caller's area is taken from the session (povmap_caller_scope), never from an argument.
CREATE FUNCTION povmap_report_household_facts(p_area text, p_year integer)
RETURNS TABLE (code text, key text, households bigint, people bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT h.village_code, k.key, count(*), sum(h.size)
  FROM (SELECT povmap_caller_scope('aggregates') AS s) c
  JOIN household h ON starts_with(h.village_code, c.s)
  JOIN household_year y ON y.household_id = h.id AND y.year = p_year
  LEFT JOIN household_year p ON p.household_id = h.id AND p.year = p_year - 1
  CROSS JOIN LATERAL unnest(
    ARRAY['all', 'status:' || y.status, 'cause:' || h.main_cause, 'attr:' || h.attribute]
    || CASE WHEN NOT y.food_clothing_ok THEN ARRAY['gap:food_clothing'] ELSE ARRAY[]::text[] END
    || CASE WHEN NOT y.education_ok THEN ARRAY['gap:education'] ELSE ARRAY[]::text[] END
    || CASE WHEN NOT y.medical_ok THEN ARRAY['gap:medical'] ELSE ARRAY[]::text[] END
    || CASE WHEN NOT y.housing_ok THEN ARRAY['gap:housing'] ELSE ARRAY[]::text[] END
    || CASE WHEN NOT y.water_ok THEN ARRAY['gap:water'] ELSE ARRAY[]::text[] END
    || CASE WHEN NOT (y.food_clothing_ok AND y.education_ok AND y.medical_ok AND y.housing_ok AND y.water_ok) THEN ARRAY['gap:any'] ELSE ARRAY[]::text[] END
    || CASE WHEN y.status = 'lifted' AND p.status IN ('poor', 'returned') THEN ARRAY['exit'] ELSE ARRAY[]::text[] END
    || CASE WHEN y.status = 'returned' AND p.status = 'lifted' THEN ARRAY['return'] ELSE ARRAY[]::text[] END
  ) AS k(key)
  WHERE starts_with(h.village_code, p_area)
  GROUP BY 1, 2
$$;
REVOKE ALL ON FUNCTION povmap_report_household_facts(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_report_household_facts(text, integer) TO povmap_app;
COMMENT ON FUNCTION povmap_report_household_facts(text, integer) IS 'report facts per village and key (households, people) of an area and year, inside the session''s area (aggregate roles)';

-- A report frozen for a period: the table as it was answered, kept unchanged.
CREATE TABLE report_snapshot (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  table_id text NOT NULL CHECK (table_id ~ '^[a-z][a-z-]{0,39}$'),
  area_code text NOT NULL CHECK (area_code ~ '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$'),
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  period_kind text NOT NULL CHECK (period_kind IN ('month', 'quarter', 'year')),
  period text NOT NULL CHECK (period ~ '^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$'),
  report jsonb NOT NULL,
  -- No foreign key: snapshots outlive accounts.
  created_by integer NOT NULL,
  created_by_username text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (table_id, area_code, year, period),
  CHECK ((period_kind = 'year') = (period ~ '^[0-9]{4}$') AND (period_kind = 'quarter') = (period ~ '-Q'))
);
CREATE INDEX report_snapshot_area_idx ON report_snapshot (area_code text_pattern_ops, id);
COMMENT ON TABLE report_snapshot IS 'statistical reports frozen for a month, quarter or year: the figures as reported, never changed';

CREATE FUNCTION report_snapshot_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a report snapshot is frozen' USING ERRCODE = '42501';
END
$$;
CREATE TRIGGER report_snapshot_no_change BEFORE UPDATE ON report_snapshot FOR EACH ROW EXECUTE FUNCTION report_snapshot_frozen();

GRANT SELECT, INSERT ON report_snapshot TO povmap_app;
ALTER TABLE report_snapshot ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_snapshot FORCE ROW LEVEL SECURITY;
CREATE POLICY report_snapshot_reads ON report_snapshot FOR SELECT TO povmap_app
  USING (starts_with(area_code, (SELECT povmap_caller_scope('aggregates'))));
-- Freezing is the registry offices' act, in their own area, in their own name.
CREATE POLICY report_snapshot_freeze ON report_snapshot FOR INSERT TO povmap_app
  WITH CHECK (starts_with(area_code, (SELECT povmap_caller_scope('registry'))) AND created_by = (SELECT povmap_user_id())
              AND created_by_username = (SELECT c.username FROM povmap_session_caller() c));
-- The owner (migrations, loader, tests) keeps full access when it is not a superuser.
DO $$
BEGIN
  EXECUTE format('CREATE POLICY owner_all ON report_snapshot TO %I USING (true) WITH CHECK (true)', current_user);
END
$$;
