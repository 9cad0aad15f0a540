-- Where each household was when its travel times were computed (issue 18): a registry edit that adds,
-- moves or removes households recomputes those households alone (server/siting/siting-service.ts),
-- instead of every household of the province; a change of roads, facilities or divisions still
-- recomputes everything.
ALTER TABLE household_access ADD COLUMN lon double precision, ADD COLUMN lat double precision;
