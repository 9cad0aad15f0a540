-- water from z12: everything, including drinking-water supply works, full detail.
SELECT id::bigint AS id, kind, name, geom_3857 AS geom
FROM water
WHERE geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
