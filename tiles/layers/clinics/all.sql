-- clinics from z13: every level.
SELECT id::bigint AS id, level, name, beds, doctors, geom_3857 AS geom
FROM clinic
WHERE geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
