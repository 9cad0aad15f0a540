-- Row-level security on household_year looked up each row's household (EXISTS (SELECT … FROM household
-- …)): one index probe per row, about a fifth of the database time of a scoped household tile
-- (pgbench, z14 tile, demo data: 2,666 → 3,435 tiles/s without it). With the village code on the row the
-- policy is a plain column test. It is also the column a Citus deployment distributes the registry by
-- (the county is its first 6 digits), so every registry table carries it.
ALTER TABLE household_year ADD COLUMN village_code text;
UPDATE household_year y SET village_code = h.village_code FROM household h WHERE h.id = y.household_id;
ALTER TABLE household_year ALTER COLUMN village_code SET NOT NULL;
COMMENT ON COLUMN household_year.village_code IS 'the household''s village, kept equal to household.village_code by triggers (and checked after each load); row-level security reads it';

-- The loader writes it with the row (in replica mode these triggers do not fire; it checks the
-- result instead); any other insert gets it from the household, whatever it says.
CREATE FUNCTION household_year_take_village() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT h.village_code INTO NEW.village_code FROM household h WHERE h.id = NEW.household_id;
  RETURN NEW;
END
$$;
CREATE TRIGGER household_year_take_village BEFORE INSERT OR UPDATE OF household_id, village_code ON household_year
  FOR EACH ROW EXECUTE FUNCTION household_year_take_village();

CREATE FUNCTION household_moves_years() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE household_year SET village_code = NEW.village_code WHERE household_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER household_moves_years AFTER UPDATE OF village_code ON household
  FOR EACH ROW WHEN (OLD.village_code IS DISTINCT FROM NEW.village_code) EXECUTE FUNCTION household_moves_years();

DROP POLICY household_year_in_scope ON household_year;
CREATE POLICY household_year_in_scope ON household_year FOR SELECT TO povmap_app
  USING ((SELECT povmap_sees_registry()) AND starts_with(village_code, (SELECT povmap_scope())));
