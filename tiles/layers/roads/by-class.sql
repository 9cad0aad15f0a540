-- roads up to z11: the band's classes (:'classes') in the 19 m generalisation.
SELECT id::bigint AS id, class, name, geom_z9 AS geom
FROM road
WHERE class = ANY (:'classes'::text[])
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
