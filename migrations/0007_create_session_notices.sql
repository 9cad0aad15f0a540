-- A process trusts a session it read for a moment (see server/auth/session-store.ts) so that tile
-- requests do not each cost a database transaction. When a session ends (sign-out, sweep) or an
-- account changes (disabled, new role or area, password), every process is told at commit and
-- forgets what it trusted: sign-out and disabling take effect at once across processes too.
CREATE FUNCTION povmap_notify_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('povmap_sessions', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
CREATE TRIGGER app_session_ended AFTER DELETE ON app_session FOR EACH STATEMENT EXECUTE FUNCTION povmap_notify_sessions();
CREATE TRIGGER app_user_changed AFTER UPDATE OR DELETE ON app_user FOR EACH STATEMENT EXECUTE FUNCTION povmap_notify_sessions();
