-- The points of one household tile at z12-13 (points-by-village.sql). A tile there holds up to a few
-- thousand households: reading their rows of the year through the primary key costs one index probe per
-- household, reading the rows of the tile's villages for that year (household_year_year_village_idx) and
-- hash-joining them touches a fraction of the pages. Under row-level security the planner estimates a
-- handful of households per tile (it cannot see through the scope test) and would probe one by one, so the
-- function turns nested loops off for its own query (a setting, hence never in a parallel worker: PARALLEL
-- RESTRICTED). It runs as the caller: the policies of both tables apply.
CREATE OR REPLACE FUNCTION household_points_by_village(z integer, x integer, y integer, q jsonb)
RETURNS TABLE (id bigint, ref text, village_code text, status text, main_cause text, size integer, gaps integer, geom geometry)
LANGUAGE sql STABLE PARALLEL RESTRICTED SET enable_nestloop = off AS $$
  WITH h AS MATERIALIZED (
    SELECT h.id, h.ref, h.village_code, h.main_cause, h.size, h.geom_3857
    FROM household h
    WHERE h.geom_3857 && ST_TileEnvelope(z, x, y, margin => 0.015625)
  )
  SELECT h.id, h.ref::text, h.village_code, yr.status, h.main_cause, h.size,
         assurance_gaps(yr.food_clothing_ok, yr.education_ok, yr.medical_ok, yr.housing_ok, yr.water_ok),
         h.geom_3857
  FROM h
  JOIN household_year yr ON yr.household_id = h.id
    AND yr.year = (q ->> 'year')::int
    AND yr.village_code = ANY (ARRAY(SELECT DISTINCT h2.village_code FROM h h2))
  WHERE household_filter_matches(q, yr.status, h.main_cause,
          assurance_gaps(yr.food_clothing_ok, yr.education_ok, yr.medical_ok, yr.housing_ok, yr.water_ok))
$$;
