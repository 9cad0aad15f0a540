-- roads z5-8: national and provincial roads, 19 m generalisation.
SELECT id::bigint AS id, class, name, geom_z9 AS geom
FROM road
WHERE class IN ('national', 'provincial')
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
