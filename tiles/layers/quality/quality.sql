-- quality: village polygons (the band's generalised geometry, :"geom") with their data-quality counters for
-- the filtered year (povmap_village_quality: counts only, never a household), and their sum as `problems`.
SELECT v.code::bigint AS id, v.code, v.name, q.households, q.outside, q.bad_ids, q.size_mismatch, q.not_updated, q.no_team,
       (q.outside + q.bad_ids + q.size_mismatch + q.not_updated + q.no_team) AS problems,
       v.:"geom" AS geom
FROM admin_area v
JOIN povmap_village_quality(
       NULL::text,
       ARRAY(SELECT a.code FROM admin_area a WHERE a.level = 'village' AND a.geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)),
       ($4::jsonb ->> 'year')::int) q ON q.code = v.code
WHERE v.level = 'village'
  AND v.geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
