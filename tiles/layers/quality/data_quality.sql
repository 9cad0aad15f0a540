-- Data-quality counters (issue 16), per village and rolled up to any area. SECURITY DEFINER: department
-- viewers and leaders see the counts of their area without reading a household, member or name; every
-- caller sees only the villages of its own area (the aggregates scope of its session, migration 0009).
-- Counted per village: households (registered), outside (the point is not covered by the village polygon and
-- no reason is recorded for it, household.outside_boundary_reason of migration 0012),
-- bad_ids (members whose ID number fails GB 11643, povmap_id_number_valid), size_mismatch (size differs
-- from the member count), not_updated (no registry row for the year), no_team (a poverty village without
-- an active resident work team).
-- GB 11643 (migration 0016 made it; the same rule, faster: one pattern test, month lengths by arithmetic, the
-- check character from character codes): counted for every member of an area, so its cost is per member.
CREATE OR REPLACE FUNCTION povmap_id_number_valid(v text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN v IS NULL OR v !~ '^[0-9]{6}(189|19[0-9]|20[0-9])[0-9](0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]$' THEN false
    WHEN substr(v, 13, 2)::int > CASE substr(v, 11, 2)::int
           WHEN 2 THEN CASE WHEN substr(v, 7, 4)::int % 4 = 0 AND (substr(v, 7, 4)::int % 100 <> 0 OR substr(v, 7, 4)::int % 400 = 0) THEN 29 ELSE 28 END
           WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30 ELSE 31 END THEN false
    WHEN substr(v, 7, 8) > to_char(current_date, 'YYYYMMDD') THEN false
    -- Σ weight × digit = Σ weight × code − 48 × Σ weights (100).
    ELSE substr('10X98765432', ((ascii(substr(v, 1, 1)) * 7 + ascii(substr(v, 2, 1)) * 9 + ascii(substr(v, 3, 1)) * 10 + ascii(substr(v, 4, 1)) * 5
         + ascii(substr(v, 5, 1)) * 8 + ascii(substr(v, 6, 1)) * 4 + ascii(substr(v, 7, 1)) * 2 + ascii(substr(v, 8, 1))
         + ascii(substr(v, 9, 1)) * 6 + ascii(substr(v, 10, 1)) * 3 + ascii(substr(v, 11, 1)) * 7 + ascii(substr(v, 12, 1)) * 9
         + ascii(substr(v, 13, 1)) * 10 + ascii(substr(v, 14, 1)) * 5 + ascii(substr(v, 15, 1)) * 8 + ascii(substr(v, 16, 1)) * 4
         + ascii(substr(v, 17, 1)) * 2 - 4800) % 11) + 1, 1) = right(v, 1)
  END
$$;

-- The villages: those under p_area (the area routes) or those named in p_codes (a tile), inside the caller's
-- area. Run as a dynamic statement so that each call is planned for its size: a village or a tile takes
-- index probes per household, a prefecture or the province hash joins over the member table.
DROP FUNCTION IF EXISTS povmap_village_quality(text[], integer);
CREATE OR REPLACE FUNCTION povmap_village_quality(p_area text, p_codes text[], p_year integer)
RETURNS TABLE (code text, poverty boolean, resident_team boolean, households integer, outside integer, bad_ids integer, size_mismatch integer, not_updated integer, no_team integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_scope text := povmap_caller_scope('aggregates');
  -- Fixed fragments (never request text): which villages, as a predicate on a village code column.
  v_which text := CASE WHEN p_codes IS NULL THEN 'starts_with(%1$s, $1)' ELSE '%1$s = ANY ($2)' END;
BEGIN
  IF v_scope IS NULL OR (p_codes IS NULL AND p_area IS NULL) THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE format(
    'SELECT a.code, a.poverty_designated,
            EXISTS (SELECT 1 FROM work_team t WHERE t.village_code = a.code AND t.resident AND t.started_on <= current_date
                      AND (t.ended_on IS NULL OR t.ended_on >= current_date)),
            COALESCE(p.households, 0), COALESCE(p.outside, 0), COALESCE(p.bad_ids, 0), COALESCE(p.size_mismatch, 0), COALESCE(p.not_updated, 0),
            (a.poverty_designated AND NOT EXISTS (SELECT 1 FROM work_team t WHERE t.village_code = a.code AND t.resident AND t.started_on <= current_date
                      AND (t.ended_on IS NULL OR t.ended_on >= current_date)))::int
     FROM admin_area a
     LEFT JOIN (
       SELECT h.village_code, count(*)::int AS households,
              (count(*) FILTER (WHERE NOT ST_Covers(hv.geom, h.geom) AND h.outside_boundary_reason IS NULL))::int AS outside,
              COALESCE(sum(mm.bad), 0)::int AS bad_ids,
              (count(*) FILTER (WHERE h.size <> COALESCE(mm.n, 0)))::int AS size_mismatch,
              (count(*) FILTER (WHERE y.household_id IS NULL))::int AS not_updated
       FROM household h
       JOIN admin_area hv ON hv.code = h.village_code
       LEFT JOIN (SELECT m.household_id, count(*) AS n, count(*) FILTER (WHERE NOT povmap_id_number_valid(m.id_number)) AS bad
                  FROM member m JOIN household h2 ON h2.id = m.household_id
                  WHERE ' || format(v_which, 'h2.village_code') || ' AND starts_with(h2.village_code, $4)
                  GROUP BY m.household_id) mm ON mm.household_id = h.id
       LEFT JOIN household_year y ON y.household_id = h.id AND y.year = $3
       WHERE ' || format(v_which, 'h.village_code') || ' AND starts_with(h.village_code, $4)
       GROUP BY h.village_code
     ) p ON p.village_code = a.code
     WHERE a.level = ''village'' AND ' || format(v_which, 'a.code') || ' AND starts_with(a.code, $4)')
    USING p_area, p_codes, p_year, v_scope;
END
$$;
REVOKE ALL ON FUNCTION povmap_village_quality(text, text[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION povmap_village_quality(text, text[], integer) TO povmap_app;

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
