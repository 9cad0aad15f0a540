-- schools z8-10: county_middle only.
SELECT id::bigint AS id, level, name, capacity, geom_3857 AS geom
FROM school
WHERE level = 'county_middle'
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
