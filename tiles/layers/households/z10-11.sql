-- households z10-11: aggregates at village seats (counts by status and main cause) for the filtered year.
SELECT * FROM household_agg_features('village', $1, $2, $3, $4::jsonb)
