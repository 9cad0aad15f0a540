-- The household filters of tiles (and of any query that takes the same filter):
-- q: { year, status: text[]|null, cause: text[]|null, gapmask: int }; gaps is assurance_gaps() of the household-year.
CREATE OR REPLACE FUNCTION household_filter_matches(q jsonb, status text, main_cause text, gaps integer)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (q -> 'status' IS NULL OR jsonb_typeof(q -> 'status') = 'null' OR q -> 'status' ? status)
     AND (q -> 'cause' IS NULL OR jsonb_typeof(q -> 'cause') = 'null' OR q -> 'cause' ? main_cause)
     AND (COALESCE((q ->> 'gapmask')::int, 0) = 0 OR gaps & (q ->> 'gapmask')::int <> 0)
$$;
