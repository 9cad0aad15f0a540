-- Data-quality counters (issue 16), per village and rolled up to any area. SECURITY DEFINER: department
-- viewers and leaders see the counts of their area without reading a household, member or name; every
-- caller sees only the villages of its own area (the aggregates scope of its session, migration 0009).
-- Counted per village: households (registered), outside (the point is not covered by the village polygon),
-- bad_ids (members whose ID number fails GB 11643, povmap_id_number_valid), size_mismatch (size differs
-- from the member count), not_updated (no registry row for the year), no_team (a poverty village without
-- an active resident work team).
CREATE OR REPLACE FUNCTION povmap_village_quality(p_codes text[], p_year integer)
RETURNS TABLE (code text, poverty boolean, resident_team boolean, households integer, outside integer, bad_ids integer, size_mismatch integer, not_updated integer, no_team integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_scope text := povmap_caller_scope('aggregates');
BEGIN
  IF v_scope IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
    WITH v AS (
      SELECT a.code, a.geom, a.poverty_designated,
             EXISTS (SELECT 1 FROM work_team t WHERE t.village_code = a.code AND t.resident AND t.started_on <= current_date
                       AND (t.ended_on IS NULL OR t.ended_on >= current_date)) AS resident
      FROM admin_area a
      WHERE a.code = ANY (p_codes) AND a.level = 'village' AND starts_with(a.code, v_scope)
    ), h AS (
      SELECT h.id, h.village_code, h.size, NOT ST_Covers(v.geom, h.geom) AS outside,
             NOT EXISTS (SELECT 1 FROM household_year y WHERE y.household_id = h.id AND y.year = p_year) AS stale
      FROM household h JOIN v ON v.code = h.village_code
    ), m AS (
      SELECT m.household_id, count(*)::int AS n, (count(*) FILTER (WHERE NOT povmap_id_number_valid(m.id_number)))::int AS bad
      FROM member m JOIN h ON h.id = m.household_id
      GROUP BY m.household_id
    ), per AS (
      SELECT h.village_code, count(*)::int AS households,
             (count(*) FILTER (WHERE h.outside))::int AS outside,
             COALESCE(sum(m.bad), 0)::int AS bad_ids,
             (count(*) FILTER (WHERE h.size <> COALESCE(m.n, 0)))::int AS size_mismatch,
             (count(*) FILTER (WHERE h.stale))::int AS not_updated
      FROM h LEFT JOIN m ON m.household_id = h.id
      GROUP BY h.village_code
    )
    SELECT v.code, v.poverty_designated, v.resident, COALESCE(per.households, 0), COALESCE(per.outside, 0), COALESCE(per.bad_ids, 0),
           COALESCE(per.size_mismatch, 0), COALESCE(per.not_updated, 0), (v.poverty_designated AND NOT v.resident)::int
    FROM v LEFT JOIN per ON per.village_code = v.code;
END
$$;
REVOKE ALL ON FUNCTION povmap_village_quality(text[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_village_quality(text[], integer) TO povmap_app;

-- Change requests pending for longer than p_days at their current step (change_request.updated_at: when it
-- reached that step), per area of p_len digits under p_area. The workflow's table comes with migration
-- 0012; before it exists nothing is waiting (this file is applied after every migration either way).
CREATE OR REPLACE FUNCTION povmap_waiting_requests(p_area text, p_len integer, p_days integer)
RETURNS TABLE (code text, waiting integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_scope text := povmap_caller_scope('aggregates');
BEGIN
  IF v_scope IS NULL OR NOT starts_with(p_area, v_scope) OR to_regclass('public.change_request') IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE
    'SELECT left(r.area_code, $2), count(*)::int FROM change_request r
     WHERE starts_with(r.area_code, $1) AND r.state = ''pending'' AND r.updated_at < now() - make_interval(days => $3)
     GROUP BY 1'
    USING p_area, p_len, p_days;
END
$$;
REVOKE ALL ON FUNCTION povmap_waiting_requests(text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_waiting_requests(text, integer, integer) TO povmap_app;
