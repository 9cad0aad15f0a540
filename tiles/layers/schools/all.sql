-- schools from z13: every level.
SELECT id::bigint AS id, level, name, capacity, geom_3857 AS geom
FROM school
WHERE geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
