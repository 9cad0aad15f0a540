import { createHash, randomBytes } from 'node:crypto'
import type { Db, Queryable } from '../db/types.js'
import { withAccounts } from '../db/caller-transactions.js'
import type { Caller } from './roles.js'
import type { Department, Role } from '../../domain/roles.js'

export interface SessionTimeouts {
  /** A session unused this long ends (ms). */
  idleMs: number
  /** A session ends this long after sign-in whatever happens (ms). */
  maxAgeMs: number
  /**
   * How long a session read from the database is trusted in this process (ms; 0: never). Changes made
   * through this process (sign-out, disabling a user, any state-changing request) drop every trusted
   * read at once; a change made by another process is seen within this time.
   */
  trustMs?: number
  /** Whether a role needs a second factor: a session of such an account without one is an enrolment session. */
  needsSecondFactor?: (role: Role) => boolean
}

interface Trusted {
  data: SessionData | null
  at: number
  generation: number
}

/** What povmap keeps in a session besides the CSRF secret; `caller` is filled on every load, never stored. */
export interface SessionData {
  userId?: number
  factor?: 'ok' | 'enrol'
  _csrf?: string
  caller?: Caller | null
}

type Callback<T = void> = (err?: unknown, result?: T) => void

/** What app_session stores instead of the session id. */
export const sessionIdHash = (sid: string) => createHash('sha256').update(sid).digest('hex')
const sidHash = sessionIdHash

// Read the session and its user in one statement; refresh last_seen_at at most every 30 s so that
// a burst of tile requests does not write a row each.
const LOAD = `WITH s AS (
  SELECT sid_hash, user_id, data, last_seen_at FROM app_session
  WHERE sid_hash = $1 AND expires_at > now() AND last_seen_at > now() - make_interval(secs => $2)
), touched AS (
  UPDATE app_session t SET last_seen_at = now() FROM s
  WHERE t.sid_hash = s.sid_hash AND s.last_seen_at < now() - interval '30 seconds'
)
SELECT s.user_id AS "userId", s.data, u.username, u.display_name AS "displayName", u.role, u.scope_code AS scope,
  u.department, u.disabled, u.totp_enabled AS "totpEnabled"
FROM s LEFT JOIN app_user u ON u.id = s.user_id`

const SAVE = `INSERT INTO app_session (sid_hash, user_id, data, expires_at)
VALUES ($1, $2, $3::jsonb, now() + make_interval(secs => $4))
ON CONFLICT (sid_hash) DO UPDATE SET user_id = EXCLUDED.user_id, data = EXCLUDED.data, last_seen_at = now()`

/**
 * @fastify/session store in the database (table app_session), so that both database kinds work,
 * several processes share sessions and a restart keeps them. Every load re-reads the user: a
 * disabled account or a logged-out session is refused on the very next request.
 */
export class DbSessionStore {
  // Without it every tile request of a map (dozens per pan) would cost a database transaction
  // before the cache could answer. Keyed by the hash, like the table.
  private readonly trusted = new Map<string, Trusted>()
  private generation = 0
  private readonly trustMs: number

  constructor(
    private readonly db: Db,
    private readonly timeouts: SessionTimeouts,
  ) {
    this.trustMs = timeouts.trustMs ?? 2000
  }

  /**
   * Forget every session read so far. Called after each state-changing request of this process: a
   * sign-out, a disabled account or a changed role is seen by the very next request. A read that
   * started before the call is not trusted after it (it may predate the change).
   */
  distrustAll(): void {
    this.generation++
    this.trusted.clear()
  }

  /**
   * The session as this process trusts it right now, without any database work: the data, null for
   * "no such session", or undefined when nothing trusted is at hand (ask get()).
   */
  peek(sid: string): SessionData | null | undefined {
    return this.peekHashed(sidHash(sid))
  }

  /** peek() by the session id's hash (sessionIdHash), for callers that keep the hash. */
  peekHashed(hash: string): SessionData | null | undefined {
    const hit = this.trusted.get(hash)
    if (!hit || hit.generation !== this.generation || Date.now() - hit.at >= this.trustMs) return undefined
    return hit.data
  }

  get(sid: string, cb: Callback<SessionData | null>): void {
    const key = sidHash(sid)
    const hit = this.trusted.get(key)
    if (hit && hit.generation === this.generation && Date.now() - hit.at < this.trustMs) {
      // A copy: @fastify/session builds the request's session from it and may change that.
      cb(null, hit.data === null ? null : { ...hit.data, caller: hit.data.caller ? { ...hit.data.caller } : hit.data.caller })
      return
    }
    const generation = this.generation
    this.load(sid).then(
      (s) => {
        if (this.trustMs > 0 && generation === this.generation) {
          if (this.trusted.size >= 10_000) this.trusted.clear()
          this.trusted.set(key, { data: s, at: Date.now(), generation })
        }
        cb(null, s)
      },
      (err: unknown) => cb(err),
    )
  }

  set(sid: string, session: SessionData & Record<string, unknown>, cb: Callback): void {
    this.distrustAll()
    const { caller: _caller, ...data } = session
    // The Session object carries its cookie; plain JSON of what we keep.
    const json = JSON.stringify({ ...data, cookie: undefined })
    withAccounts(this.db, (tx) => tx.query(SAVE, [sidHash(sid), session.userId ?? null, json, Math.ceil(this.timeouts.maxAgeMs / 1000)])).then(
      () => cb(),
      (err: unknown) => cb(err),
    )
  }

  destroy(sid: string, cb: Callback): void {
    this.distrustAll()
    withAccounts(this.db, (tx) => tx.query('DELETE FROM app_session WHERE sid_hash = $1', [sidHash(sid)])).then(
      () => cb(),
      (err: unknown) => cb(err),
    )
  }

  private async load(sid: string): Promise<SessionData | null> {
    const { rows } = await withAccounts(this.db, (tx) =>
      tx.query<{
        userId: number | null
        data: SessionData
        username: string | null
        displayName: string | null
        role: Role | null
        scope: string | null
        department: Department | null
        disabled: boolean | null
        totpEnabled: boolean | null
      }>(LOAD, [sidHash(sid), Math.ceil(this.timeouts.idleMs / 1000)]),
    )
    const r = rows[0]
    if (!r) return null
    const data = typeof r.data === 'string' ? (JSON.parse(r.data) as SessionData) : r.data
    if (r.userId === null) return { ...data, caller: null }
    // The account is gone or disabled: the session is over (the row goes at the next cleanup).
    if (r.disabled !== false || !r.username || !r.role || !r.scope) return null
    return {
      ...data,
      caller: {
        userId: r.userId,
        username: r.username,
        displayName: r.displayName ?? r.username,
        role: r.role,
        scope: r.scope,
        department: r.department,
        factor: data.factor === 'ok' && (r.totpEnabled === true || !this.timeouts.needsSecondFactor?.(r.role)) ? 'ok' : 'enrol',
      },
    }
  }

  /**
   * Sessions that passed sign-in without a second factor their role now needs (of accounts without
   * one) become enrolment sessions, in the stored data the database reads too. Returns how many.
   */
  async demoteUnenrolled(roles: readonly Role[]): Promise<number> {
    if (roles.length === 0) return 0
    const r = await withAccounts(this.db, (tx) =>
      tx.query(
        `UPDATE app_session s SET data = jsonb_set(s.data, '{factor}', '"enrol"') FROM app_user u
         WHERE u.id = s.user_id AND u.role = ANY($1::text[]) AND NOT u.totp_enabled AND s.data ->> 'factor' = 'ok'`,
        [roles],
      ),
    )
    this.distrustAll()
    return r.rowCount
  }

  /** Deletes expired and idle sessions; returns how many. */
  async sweep(): Promise<number> {
    const r = await withAccounts(this.db, async (tx) => {
      // Sign-in counts of addresses quiet for a day go too (a lock lasts minutes).
      await tx.query("DELETE FROM login_throttle WHERE last_attempt_at < now() - interval '1 day'")
      return tx.query('DELETE FROM app_session WHERE expires_at <= now() OR last_seen_at <= now() - make_interval(secs => $1)', [Math.ceil(this.timeouts.idleMs / 1000)])
    })
    return r.rowCount
  }
}

/**
 * Opens a session of a user without a sign-in, on the owner's connection: for a run of the server's own
 * (tiles:seed renders in an account's view) and for tests. Returns the raw session id.
 */
export async function openSessionAsOwner(db: Queryable, userId: number, ttlSeconds: number, factor: 'ok' | 'enrol' = 'ok'): Promise<string> {
  const sid = randomBytes(32).toString('base64url')
  await db.query(`INSERT INTO app_session (sid_hash, user_id, data, expires_at) VALUES ($1, $2, $3::jsonb, now() + make_interval(secs => $4))`, [
    sessionIdHash(sid),
    userId,
    JSON.stringify({ userId, factor }),
    ttlSeconds,
  ])
  return sid
}
