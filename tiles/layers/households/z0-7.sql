-- households z0-7: aggregates at county seats (counts by status and main cause) for the filtered year.
SELECT * FROM household_agg_features('county', $1, $2, $3, $4::jsonb)
