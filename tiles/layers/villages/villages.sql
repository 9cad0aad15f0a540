-- villages: village polygons (the band's generalised geometry, :"geom") with poverty figures for the filtered year.
SELECT v.code::bigint AS id, v.code, v.name, v.poverty_designated AS poverty,
       COALESCE(a.households, 0) AS households, COALESCE(a.poor, 0) AS poor,
       round(COALESCE(100.0 * a.poor_people / NULLIF(v.rural_population, 0), 0)::numeric, 2)::float8 AS incidence,
       v.:"geom" AS geom
FROM admin_area v
LEFT JOIN LATERAL (
  SELECT sum(households) AS households,
         sum(households) FILTER (WHERE status IN ('poor', 'returned')) AS poor,
         sum(people) FILTER (WHERE status IN ('poor', 'returned')) AS poor_people
  FROM household_agg WHERE area_code = v.code AND year = ($4::jsonb ->> 'year')::int
) a ON true
WHERE v.level = 'village'
  AND v.geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
