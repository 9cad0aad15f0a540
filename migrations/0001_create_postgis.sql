-- PostGIS is the source of truth for every geometry; both the embedded PGlite and a server have it.
CREATE EXTENSION IF NOT EXISTS postgis;
