-- The demo/real geography and the registry. Coordinates: WGS84 (EPSG:4326) everywhere in storage.
-- Codes are text (GB/T 2260 + NBS statistical codes): 2 province, 4 prefecture, 6 county, 9 township, 12 village.

CREATE TABLE admin_area (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$'),
  level text NOT NULL CHECK (level IN ('province', 'prefecture', 'county', 'township', 'village')),
  name text NOT NULL,
  parent_code text REFERENCES admin_area (code),
  geom geometry(MultiPolygon, 4326),
  seat geometry(Point, 4326),
  poverty_designated boolean NOT NULL DEFAULT false,
  rural_population integer CHECK (rural_population >= 0),
  geom_synthetic boolean NOT NULL DEFAULT true,
  CHECK ((level = 'province') = (parent_code IS NULL))
);
COMMENT ON TABLE admin_area IS 'Divisions province to village; names and codes real (NBS 2023); county outlines real (GCJ-02 source, treated as WGS84), township and village outlines synthetic';
COMMENT ON COLUMN admin_area.poverty_designated IS 'designated poverty county (level county) or poverty village (level village)';
COMMENT ON COLUMN admin_area.seat IS 'seat of the government / village committee';
CREATE INDEX admin_area_geom_idx ON admin_area USING gist (geom);
CREATE INDEX admin_area_parent_idx ON admin_area (parent_code);
CREATE INDEX admin_area_level_idx ON admin_area (level);

CREATE TABLE indicator_def (
  code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
  name_zh text NOT NULL,
  name_en text NOT NULL,
  unit text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('higher_better', 'lower_better')),
  category text NOT NULL,
  description text
);
COMMENT ON TABLE indicator_def IS 'Environment indicators per village and year, each defined once';

CREATE TABLE indicator_value (
  area_code text NOT NULL REFERENCES admin_area (code),
  indicator_code text NOT NULL REFERENCES indicator_def (code),
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  value double precision NOT NULL,
  PRIMARY KEY (area_code, indicator_code, year)
);
CREATE INDEX indicator_value_indicator_year_idx ON indicator_value (indicator_code, year);

CREATE TABLE road (
  id integer PRIMARY KEY,
  class text NOT NULL CHECK (class IN ('national', 'provincial', 'county', 'township', 'village')),
  name text,
  source_node integer NOT NULL,
  target_node integer NOT NULL,
  length_m double precision NOT NULL CHECK (length_m >= 0),
  geom geometry(LineString, 4326) NOT NULL
);
COMMENT ON TABLE road IS 'Synthetic road network, noded at junctions: (source_node, target_node) form a routable graph';
CREATE INDEX road_geom_idx ON road USING gist (geom);
CREATE INDEX road_source_idx ON road (source_node);
CREATE INDEX road_target_idx ON road (target_node);

CREATE TABLE water (
  id integer PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('river', 'lake', 'reservoir', 'supply_works')),
  name text,
  stream_order integer,
  capacity double precision,
  area_code text REFERENCES admin_area (code),
  geom geometry(Geometry, 4326) NOT NULL
);
COMMENT ON TABLE water IS 'Rivers (LineString), lakes and reservoirs (MultiPolygon), drinking-water supply works (Point, capacity in m3/day); synthetic';
CREATE INDEX water_geom_idx ON water USING gist (geom);

CREATE TABLE school (
  id integer PRIMARY KEY,
  level text NOT NULL CHECK (level IN ('county_middle', 'township_central', 'village_primary')),
  name text NOT NULL,
  area_code text NOT NULL REFERENCES admin_area (code),
  capacity integer NOT NULL CHECK (capacity > 0),
  geom geometry(Point, 4326) NOT NULL
);
CREATE INDEX school_geom_idx ON school USING gist (geom);

CREATE TABLE clinic (
  id integer PRIMARY KEY,
  level text NOT NULL CHECK (level IN ('county_hospital', 'township_health_centre', 'village_clinic')),
  name text NOT NULL,
  area_code text NOT NULL REFERENCES admin_area (code),
  beds integer NOT NULL CHECK (beds >= 0),
  doctors integer NOT NULL CHECK (doctors >= 0),
  geom geometry(Point, 4326) NOT NULL
);
CREATE INDEX clinic_geom_idx ON clinic USING gist (geom);

CREATE TABLE household (
  id bigint PRIMARY KEY,
  village_code text NOT NULL REFERENCES admin_area (code),
  geom geometry(Point, 4326) NOT NULL,
  size integer NOT NULL CHECK (size BETWEEN 1 AND 20),
  identification_standard text NOT NULL CHECK (identification_standard IN ('national', 'provincial')),
  attribute text NOT NULL CHECK (attribute IN ('general', 'dibao', 'wubao', 'dibao_poor')),
  main_cause text NOT NULL CHECK (main_cause IN ('illness', 'disability', 'schooling', 'disaster', 'land', 'water', 'skills', 'labour', 'capital', 'transport', 'drive', 'other')),
  other_causes text[] NOT NULL DEFAULT '{}',
  phone text,
  registered_year integer NOT NULL,
  housing_area_m2 double precision,
  housing_structure text CHECK (housing_structure IN ('reinforced_concrete', 'brick_concrete', 'brick_wood', 'earth_bamboo', 'other')),
  housing_safety text CHECK (housing_safety IN ('A', 'B', 'C', 'D')),
  relocated boolean NOT NULL DEFAULT false,
  water_source text CHECK (water_source IN ('tap', 'protected_well', 'unprotected_well', 'river_lake', 'rainwater', 'bottled')),
  water_difficulty boolean NOT NULL DEFAULT false,
  cooking_fuel text,
  road_hardened boolean NOT NULL DEFAULT false,
  km_to_market double precision,
  land_paddy_mu double precision,
  land_dry_mu double precision,
  land_forest_mu double precision
);
COMMENT ON TABLE household IS '建档立卡 registered poor households (synthetic demo data); personal fields are masked by role (see access control)';
COMMENT ON COLUMN household.phone IS 'personal data: never in tiles, logs or URLs';
CREATE INDEX household_geom_idx ON household USING gist (geom);
CREATE INDEX household_village_idx ON household (village_code);

CREATE TABLE household_year (
  household_id bigint NOT NULL REFERENCES household (id) ON DELETE CASCADE,
  year integer NOT NULL CHECK (year BETWEEN 2014 AND 2030),
  status text NOT NULL CHECK (status IN ('poor', 'lifted', 'returned')),
  income_per_capita double precision NOT NULL,
  food_clothing_ok boolean NOT NULL,
  education_ok boolean NOT NULL,
  medical_ok boolean NOT NULL,
  housing_ok boolean NOT NULL,
  water_ok boolean NOT NULL,
  PRIMARY KEY (household_id, year)
);
COMMENT ON TABLE household_year IS 'Status, income and 两不愁三保障 indicators of a household for each registry year';
CREATE INDEX household_year_year_status_idx ON household_year (year, status);

CREATE TABLE member (
  id bigint PRIMARY KEY,
  household_id bigint NOT NULL REFERENCES household (id) ON DELETE CASCADE,
  name text NOT NULL,
  sex text NOT NULL CHECK (sex IN ('M', 'F')),
  id_number text NOT NULL CHECK (id_number ~ '^[0-9]{17}[0-9X]$'),
  relation text NOT NULL,
  ethnicity text NOT NULL,
  birth_year integer NOT NULL,
  schooling text NOT NULL,
  in_school text,
  health text NOT NULL CHECK (health IN ('healthy', 'chronic', 'serious', 'disabled')),
  labour text NOT NULL CHECK (labour IN ('ordinary', 'skilled', 'lost', 'none')),
  migrant_months integer NOT NULL DEFAULT 0,
  dibao boolean NOT NULL DEFAULT false,
  wubao boolean NOT NULL DEFAULT false,
  medical_insurance boolean NOT NULL DEFAULT true,
  pension boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE member IS 'Household members; names and 18-digit ID numbers are synthetic and personal data';
CREATE INDEX member_household_idx ON member (household_id);

CREATE TABLE project (
  id integer PRIMARY KEY,
  type text NOT NULL CHECK (type IN ('road', 'water', 'housing', 'relocation', 'industry', 'education', 'health')),
  name text NOT NULL,
  stage text NOT NULL CHECK (stage IN ('plan', 'approved', 'construction', 'completed', 'evaluated')),
  year integer NOT NULL,
  budget_yuan double precision NOT NULL CHECK (budget_yuan >= 0),
  spent_yuan double precision NOT NULL CHECK (spent_yuan >= 0),
  county_code text NOT NULL REFERENCES admin_area (code),
  village_code text REFERENCES admin_area (code),
  beneficiary_households integer NOT NULL DEFAULT 0,
  beneficiary_villages integer NOT NULL DEFAULT 0,
  geom geometry(Geometry, 4326) NOT NULL
);
COMMENT ON TABLE project IS 'Poverty-alleviation projects over their life cycle; geometry point, line or polygon';
CREATE INDEX project_geom_idx ON project USING gist (geom);
CREATE INDEX project_county_idx ON project (county_code);

CREATE TABLE data_load (
  id serial PRIMARY KEY,
  scale text NOT NULL,
  seed integer NOT NULL,
  generator_version text NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now(),
  counts jsonb NOT NULL
);
COMMENT ON TABLE data_load IS 'One row per completed demo load (the load is one transaction, so a row means the data is whole)';
