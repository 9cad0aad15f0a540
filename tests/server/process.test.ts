import { afterAll, describe, expect, it } from 'vitest'
import { rmSync } from 'node:fs'
import { freshEmbeddedDataDir, serverUrl, openTestDb } from '../helpers/test-db.js'
import { spawnServer, waitForHealth } from '../helpers/server-process.js'

describe('server process', () => {
  const dirs: string[] = []
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  it('a bad DATABASE_URL fails with one clear line, no stack, password hidden', async () => {
    const p = spawnServer({ DATABASE_URL: 'postgres://povmap:hunter2@127.0.0.1:1/nowhere' })
    expect(await p.exited).toBe(1)
    const lines = p.output().trim().split('\n').filter((l) => l.startsWith('povmap: cannot start'))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/database unavailable.*ECONNREFUSED 127\.0\.0\.1:1/)
    expect(p.output()).not.toMatch(/hunter2|\n\s+at /)
  })

  it('an invalid setting is named in one line', async () => {
    const p = spawnServer({ PORT: 'eighty' })
    expect(await p.exited).toBe(1)
    expect(p.output()).toMatch(/^povmap: bad configuration: invalid PORT/m)
    expect(p.output()).not.toMatch(/\n\s+at /)
  })

  it('serves, stops cleanly on SIGTERM and SIGINT, survives SIGKILL, and reopens the same data', async () => {
    let env: Record<string, string>
    let dispose = async () => {}
    if (serverUrl) {
      const t = await openTestDb()
      await t.db.close()
      env = { DATABASE_URL: t.location }
      dispose = t.dispose
    } else {
      const dir = await freshEmbeddedDataDir()
      dirs.push(dir)
      env = { DATA_DIR: dir }
    }
    try {
      const first = spawnServer(env)
      const health = await waitForHealth(first)
      expect(health).toMatchObject({ status: 'ok', db: { kind: serverUrl ? 'server' : 'embedded' } })
      const applied = (health.migrations as { applied: number }).applied
      expect(applied).toBeGreaterThanOrEqual(2)
      first.child.kill('SIGTERM')
      expect(await first.exited).toBe(0)
      expect(first.output()).toMatch(/stopped cleanly/)

      const second = spawnServer(env)
      expect(await waitForHealth(second)).toMatchObject({ migrations: { applied } })
      second.child.kill('SIGINT')
      expect(await second.exited).toBe(0)

      // A crash (no chance to close) must not corrupt the data or leave a lock that blocks the next start.
      const third = spawnServer(env)
      await waitForHealth(third)
      third.child.kill('SIGKILL')
      await third.exited
      const fourth = spawnServer(env)
      expect(await waitForHealth(fourth)).toMatchObject({ status: 'ok', migrations: { applied } })
      fourth.child.kill('SIGTERM')
      expect(await fourth.exited).toBe(0)
    } finally {
      await dispose()
    }
  }, 240_000)
})
