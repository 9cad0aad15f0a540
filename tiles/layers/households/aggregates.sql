-- households below z12: aggregates at the seats of the band's level (:'level') with counts by status and
-- main cause for the filtered year.
SELECT * FROM household_agg_features(:'level', $1, $2, $3, $4::jsonb)
-- Roles that see aggregates only (department viewers, leaders) get no aggregate of fewer than 3 households:
-- under a fine filter such a count points at one or two households they may not see.
WHERE count >= 3 OR (SELECT povmap_sees_registry())
