-- Aggregated household features at the seats of the areas of one level inside a tile (aggregates.sql),
-- from household_agg: counts by status and main cause for the filter's year.
CREATE OR REPLACE FUNCTION household_agg_features(lvl text, z integer, x integer, y integer, q jsonb)
RETURNS TABLE (id bigint, code text, name text, count bigint, people bigint, poor bigint, lifted bigint, returned bigint,
  c_illness bigint, c_disability bigint, c_schooling bigint, c_disaster bigint, c_land bigint, c_water bigint,
  c_skills bigint, c_labour bigint, c_capital bigint, c_transport bigint, c_drive bigint, c_other bigint, geom geometry)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT ar.code::bigint, ar.code, ar.name, sum(a.households)::bigint, sum(a.people)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.status = 'poor'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.status = 'lifted'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.status = 'returned'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'illness'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'disability'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'schooling'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'disaster'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'land'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'water'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'skills'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'labour'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'capital'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'transport'), 0)::bigint,
    COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'drive'), 0)::bigint, COALESCE(sum(a.households) FILTER (WHERE a.main_cause = 'other'), 0)::bigint,
    ar.label_3857
  FROM admin_area ar
  JOIN household_agg a ON a.area_code = ar.code AND a.year = (q ->> 'year')::int
  WHERE ar.level = lvl
    AND ar.label_3857 && ST_TileEnvelope(z, x, y, margin => 0.015625)
    AND household_filter_matches(q, a.status, a.main_cause, a.gaps)
  GROUP BY ar.code, ar.name, ar.label_3857
$$;
