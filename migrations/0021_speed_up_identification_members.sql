-- identification_values again (after 0020): members were aggregated by one index probe per household
-- of the selection, 216k probes and an external sort for one demo year. With no household named they are
-- now aggregated all at once and hash-joined (a year: 18.5 s -> 11 s on a loaded machine); with households
-- named, through the index as before. Same columns, same results (tests/server/identification).
-- Callers that name households should pass them as a parameter (or a constant array): the household
-- filter of the year rows is then planned as an index scan.
CREATE OR REPLACE FUNCTION identification_values(p_year integer DEFAULT NULL, p_villages text[] DEFAULT NULL, p_households bigint[] DEFAULT NULL)
RETURNS TABLE (household_id bigint, year integer, village_code text, people integer, income_per_capita double precision,
  line double precision, v double precision[], mask integer, poor_official boolean, official_gaps text[])
LANGUAGE sql STABLE AS $$
  WITH cut AS (
    SELECT array_agg(d.threshold_value ORDER BY b) AS c, array_agg(d.direction ORDER BY b) AS dir
    FROM generate_series(0, 9) b LEFT JOIN indicator_def d ON d.af_bit = b AND d.level = 'household'
  ),
  lines AS (
    SELECT y AS year, (SELECT l.yuan FROM poverty_line l WHERE l.year <= y ORDER BY l.year DESC LIMIT 1) AS line
    FROM generate_series(2014, 2030) y
  ),
  hy AS (
    SELECT y.household_id, y.year, y.village_code, y.income_per_capita, y.food_clothing_ok, y.education_ok, y.medical_ok,
           y.housing_ok, y.water_ok, h.size, h.water_source, h.water_difficulty, h.housing_safety, h.registered_year, l.line
    FROM household_year y
    JOIN household h ON h.id = y.household_id
    LEFT JOIN lines l ON l.year = y.year
    WHERE (p_year IS NULL OR y.year = p_year)
      AND (p_villages IS NULL OR y.village_code = ANY (p_villages))
      AND (p_households IS NULL OR y.household_id = ANY (p_households))
  ),
  -- Members by household: every member at once when no households are named (a hash join to the year's
  -- rows), else only theirs through the index. The branches' conditions on the parameters are one-time
  -- filters, so this holds for bind parameters and for arrays computed in the calling query alike.
  mem AS (
    SELECT m.household_id,
           count(*) FILTER (WHERE NOT m.medical_insurance) AS uninsured,
           count(*) FILTER (WHERE m.health IN ('chronic', 'serious')) AS chronic,
           array_agg(m.birth_year) FILTER (WHERE (m.in_school IS NULL OR m.in_school = 'preschool') AND m.birth_year >= 1999) AS unschooled
    FROM member m
    WHERE p_households IS NULL
    GROUP BY m.household_id
    UNION ALL
    SELECT m.household_id,
           count(*) FILTER (WHERE NOT m.medical_insurance),
           count(*) FILTER (WHERE m.health IN ('chronic', 'serious')),
           array_agg(m.birth_year) FILTER (WHERE (m.in_school IS NULL OR m.in_school = 'preschool') AND m.birth_year >= 1999)
    FROM member m
    WHERE p_households IS NOT NULL AND m.household_id = ANY (p_households)
    GROUP BY m.household_id
  ),
  vals AS MATERIALIZED (
    SELECT hy.*, ARRAY[
      hy.income_per_capita / hy.line,
      CASE WHEN NOT hy.water_ok AND (hy.water_difficulty OR hy.water_source IS NULL) THEN 0 ELSE 1 END,
      CASE WHEN NOT hy.water_ok AND hy.water_source IN ('unprotected_well', 'river_lake') THEN 0 ELSE 1 END,
      CASE WHEN NOT hy.water_ok AND (hy.water_source IN ('river_lake', 'unprotected_well') OR (hy.water_source = 'protected_well' AND hy.water_difficulty)) THEN 0 ELSE 1 END,
      CASE WHEN NOT hy.water_ok AND hy.water_source IN ('rainwater', 'river_lake') THEN 0 ELSE 1 END,
      CASE WHEN hy.food_clothing_ok THEN 1 ELSE 0 END,
      COALESCE((SELECT count(*) FROM unnest(mem.unschooled) b WHERE hy.year - b BETWEEN 6 AND 15 AND hy.registered_year - b >= 6), 0)
        + CASE WHEN hy.education_ok THEN 0 ELSE 1 END,
      COALESCE(mem.uninsured, 0),
      CASE WHEN hy.medical_ok THEN 0 ELSE greatest(COALESCE(mem.chronic, 0), 1) END,
      CASE WHEN hy.housing_ok THEN least(COALESCE(r.rating, 1), 2) ELSE COALESCE(r.rating, 3) END
    ]::double precision[] AS v
    FROM hy
    LEFT JOIN mem ON mem.household_id = hy.household_id
    CROSS JOIN LATERAL (SELECT CASE hy.housing_safety WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 END AS rating) r
  )
  SELECT vals.household_id, vals.year, vals.village_code, vals.size, vals.income_per_capita, vals.line, vals.v,
    af_deprived(vals.v[1], cut.c[1], cut.dir[1]) | (af_deprived(vals.v[2], cut.c[2], cut.dir[2]) << 1)
      | (af_deprived(vals.v[3], cut.c[3], cut.dir[3]) << 2) | (af_deprived(vals.v[4], cut.c[4], cut.dir[4]) << 3)
      | (af_deprived(vals.v[5], cut.c[5], cut.dir[5]) << 4) | (af_deprived(vals.v[6], cut.c[6], cut.dir[6]) << 5)
      | (af_deprived(vals.v[7], cut.c[7], cut.dir[7]) << 6) | (af_deprived(vals.v[8], cut.c[8], cut.dir[8]) << 7)
      | (af_deprived(vals.v[9], cut.c[9], cut.dir[9]) << 8) | (af_deprived(vals.v[10], cut.c[10], cut.dir[10]) << 9),
    (vals.income_per_capita < vals.line) OR NOT (vals.food_clothing_ok AND vals.education_ok AND vals.medical_ok AND vals.housing_ok AND vals.water_ok),
    array_remove(ARRAY[
      CASE WHEN vals.income_per_capita < vals.line THEN 'income' END,
      CASE WHEN NOT vals.food_clothing_ok THEN 'food_clothing' END,
      CASE WHEN NOT vals.education_ok THEN 'education' END,
      CASE WHEN NOT vals.medical_ok THEN 'medical' END,
      CASE WHEN NOT vals.housing_ok THEN 'housing' END,
      CASE WHEN NOT vals.water_ok THEN 'water' END], NULL)
  FROM vals CROSS JOIN cut
$$;
