-- water z0-8: lakes, reservoirs and main rivers (stream order >= 3), 19 m generalisation.
SELECT id::bigint AS id, kind, name, geom_z9 AS geom
FROM water
WHERE (kind IN ('lake', 'reservoir') OR (kind = 'river' AND stream_order >= 3))
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
