import { describe, expect, it } from 'vitest'
import { runChaos } from '../../../scripts/chaos-db-restart.js'

/**
 * PostgreSQL restarted under load (scripts/chaos-db-restart.ts: a private cluster of its own, never
 * the one of DATABASE_URL). Off unless POVMAP_CHAOS=1: it needs the PostgreSQL binaries and ~1 min.
 */
describe.runIf(process.env.POVMAP_CHAOS === '1')('PostgreSQL restart under load', () => {
  it('answers fast 503s while it is down, stays up, and serves again as soon as it is back', async () => {
    const r = await runChaos({ connections: 16, durationS: 25, downS: 5, downAtS: 6, log: () => {} })
    expect(r.serverStayedUp).toBe(true)
    expect(r.before.ok).toBe(r.before.requests)
    // While down: (almost) everything is a 503, and fast.
    expect(r.down.s503 / r.down.requests).toBeGreaterThan(0.95)
    expect(r.down.p99of503!).toBeLessThan(250)
    expect(r.statusCounts['500'] ?? 0).toBe(0)
    expect(r.statusCounts.timeouts).toBe(0)
    // Back: errors stop within seconds, and the rest of the run is clean.
    expect(r.errorsStopAfterS!).toBeLessThan(3)
    expect(r.firstOkAfterS!).toBeLessThan(3)
    expect(r.after.ok / r.after.requests).toBeGreaterThan(0.99)
  }, 180_000)
})
