-- schools z11-12: county_middle and township_central.
SELECT id::bigint AS id, level, name, capacity, geom_3857 AS geom
FROM school
WHERE level IN ('county_middle', 'township_central')
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
