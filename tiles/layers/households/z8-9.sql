-- households z8-9: aggregates at township seats (counts by status and main cause) for the filtered year.
SELECT * FROM household_agg_features('township', $1, $2, $3, $4::jsonb)
