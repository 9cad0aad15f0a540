-- Sign-in failures counted per account and address (issue 14, finding 9).
--
-- Each attempt is counted before its password is checked, in one statement, so parallel guesses cannot
-- all pass the check before a lock is written. After LOCK_AFTER attempts in a row without a success from
-- one address, that address is locked out of that account for a while; other addresses are not, so
-- nobody can lock an account's owner out by guessing from elsewhere. Across all addresses,
-- app_user.failed_logins and locked_until now hold a slower back-off: after many failures in a row, one
-- attempt per interval, doubling up to a cap.
CREATE TABLE login_throttle (
  user_id integer NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  address text NOT NULL CHECK (char_length(address) <= 64),
  -- Attempts since the last success (or since the last lock ran out), this one included.
  attempts integer NOT NULL CHECK (attempts > 0),
  locked_until timestamptz,
  last_attempt_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, address)
);
CREATE INDEX login_throttle_last_idx ON login_throttle (last_attempt_at);
COMMENT ON TABLE login_throttle IS 'sign-in attempts per account and client address, counted before the password is checked; a success deletes the row';
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO povmap_auth;
COMMENT ON COLUMN app_user.failed_logins IS 'failed sign-ins in a row from any address (reset by a success); past a threshold each attempt waits for locked_until';
COMMENT ON COLUMN app_user.locked_until IS 'no sign-in attempt from any address before this (the slow global back-off)';
