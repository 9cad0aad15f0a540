-- roads from z12: every road at full detail.
SELECT id::bigint AS id, class, name, geom_3857 AS geom
FROM road
WHERE geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
