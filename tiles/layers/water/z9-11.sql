-- water z9-11: lakes, reservoirs and rivers of stream order >= 2, 19 m generalisation.
SELECT id::bigint AS id, kind, name, geom_z9 AS geom
FROM water
WHERE (kind IN ('lake', 'reservoir') OR (kind = 'river' AND stream_order >= 2))
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
