-- Access control, second part: household ids that leak neither the registry's size nor its order,
-- and field photos (驻村工作队 photos of villages, households and projects) scoped like the registry.

-- ---- household ids ------------------------------------------------------------------------------------
-- The loader writes the generator's ids: a keyed 48-bit permutation of the sequence number, in
-- [2^48, 2^49) (geodata/generate/household-ids.ts). A household added later by the application gets a
-- random id in [1, 2^48): the two ranges never meet, and a collision of two random ids (about one in
-- 10^8 for a province registry) is refused by the primary key, never silently merged. Both stay below
-- 2^53, so JavaScript numbers hold them exactly.
CREATE FUNCTION povmap_new_household_id() RETURNS bigint LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT 1 + ('x' || substr(md5(gen_random_uuid()::text), 1, 12))::bit(48)::bigint % 281474976710655
$$;
COMMENT ON FUNCTION povmap_new_household_id() IS 'a random household id in [1, 2^48) from gen_random_uuid (cryptographic randomness); loaded ids lie in [2^48, 2^49)';
ALTER TABLE household ALTER COLUMN id SET DEFAULT povmap_new_household_id();
COMMENT ON COLUMN household.id IS 'internal id, the tile feature id: non-sequential (a keyed permutation of the registry order, or random); never in a URL';
COMMENT ON COLUMN household.ref IS 'opaque household id (random UUID) for every URL that names a household';

-- ---- photos --------------------------------------------------------------------------------------------
-- The bytes live under DATA_DIR/photos/<ref>.<ext> (names from ref only, never from the request), with
-- their EXIF/XMP/IPTC metadata (GPS, camera maker notes) stripped before they are written. This table
-- says what a photo shows and where: the area it belongs to decides who sees it.
-- No foreign keys to household or project: a data load truncates and replaces those tables; photos stay.
CREATE TABLE photo (
  ref uuid PRIMARY KEY,
  subject text NOT NULL CHECK (subject IN ('village', 'household', 'project')),
  -- The village of a village or household photo; a project's village, or its county when it has none.
  area_code text NOT NULL CHECK (area_code ~ '^[0-9]{6}([0-9]{6})?$'),
  household_id bigint,
  project_id integer,
  media_type text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png')),
  bytes integer NOT NULL CHECK (bytes > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  caption text CHECK (char_length(caption) <= 200),
  location geometry(Point, 4326),
  uploaded_by integer,
  uploaded_by_username text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((subject = 'household') = (household_id IS NOT NULL)),
  CHECK ((subject = 'project') = (project_id IS NOT NULL)),
  CHECK (subject = 'project' OR char_length(area_code) = 12)
);
CREATE INDEX photo_area_idx ON photo (area_code text_pattern_ops, created_at);
CREATE INDEX photo_household_idx ON photo (household_id) WHERE household_id IS NOT NULL;
COMMENT ON TABLE photo IS 'Field photos (村/户/项目) taken by village work teams; bytes under DATA_DIR/photos, metadata stripped. Household photos are personal data: registry roles only, every read audited';
COMMENT ON COLUMN photo.location IS 'where it was taken, as sent by the uploading device (WGS84); household photo locations are seen by registry roles only';
COMMENT ON COLUMN photo.caption IS 'free text; ID numbers and phone numbers are masked before it is kept';

GRANT SELECT, INSERT ON photo TO povmap_app;
ALTER TABLE photo ENABLE ROW LEVEL SECURITY;
ALTER TABLE photo FORCE ROW LEVEL SECURITY;
-- Household photos: the registry roles of the area. Village and project photos: every role that sees
-- aggregates (department viewers and leaders included); a county-wide project's photos, like the
-- project itself, everyone in the county.
CREATE POLICY photo_in_scope ON photo FOR SELECT TO povmap_app
  USING (CASE WHEN subject = 'household' THEN (SELECT povmap_sees_registry()) ELSE (SELECT povmap_sees_aggregates()) END
         AND (starts_with(area_code, (SELECT povmap_scope()))
              OR (subject = 'project' AND char_length(area_code) = 6 AND starts_with((SELECT povmap_scope()), area_code))));
-- Uploads: a village work team, for its own village, as itself, of a household, project or village
-- that really is in that village.
CREATE POLICY photo_upload ON photo FOR INSERT TO povmap_app
  WITH CHECK ((SELECT povmap_role()) = 'village_team'
              AND starts_with(area_code, (SELECT povmap_scope()))
              AND uploaded_by IS NOT DISTINCT FROM nullif(current_setting('povmap.user_id', true), '')::integer
              AND CASE subject
                    WHEN 'household' THEN EXISTS (SELECT 1 FROM household h WHERE h.id = household_id AND h.village_code = area_code)
                    WHEN 'project' THEN EXISTS (SELECT 1 FROM project p WHERE p.id = project_id AND COALESCE(p.village_code, p.county_code) = area_code)
                    ELSE EXISTS (SELECT 1 FROM admin_area a WHERE a.code = area_code AND a.level = 'village')
                  END);

-- The owner (migrations, loader) keeps its access, as on the other forced tables (migration 0004).
DO $$
BEGIN
  EXECUTE format('CREATE POLICY owner_all ON photo TO %I USING (true) WITH CHECK (true)', current_user);
END
$$;
