-- admin: the outlines of the band's levels in its generalised geometry (:"geom"), and label points at
-- the seats of its label levels.
SELECT code::bigint AS id, code, name, level, false AS label, :"geom" AS geom
FROM admin_area
WHERE level = ANY (:'levels'::text[])
  AND geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
UNION ALL
SELECT NULL, code, name, level, true, label_3857
FROM admin_area
WHERE level = ANY (:'labels'::text[])
  AND label_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
