import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { clearCache, getCached } from '../../client/src/api/http.js'

describe('getCached', () => {
  let calls: string[]
  let release: (() => void)[]
  beforeEach(() => {
    clearCache()
    calls = []
    release = []
    vi.stubGlobal('fetch', async (url: string) => {
      calls.push(url)
      await new Promise<void>((r) => release.push(r))
      if (url.includes('fail')) return new Response(JSON.stringify({ error: 'Service Unavailable', message: 'later' }), { status: 503 })
      return new Response(JSON.stringify({ url }), { status: 200 })
    })
  })
  afterEach(() => vi.unstubAllGlobals())
  const flush = async () => {
    await vi.waitFor(() => expect(release.length).toBeGreaterThan(0))
    release.splice(0).forEach((r) => r())
  }

  it('callers asking for the same URL at once share one request, and the answer is kept', async () => {
    const a = getCached('/api/areas/433124110226')
    const b = getCached('/api/areas/433124110226')
    await flush()
    expect(await Promise.all([a, b])).toEqual([{ url: '/api/areas/433124110226' }, { url: '/api/areas/433124110226' }])
    expect(await getCached('/api/areas/433124110226')).toEqual({ url: '/api/areas/433124110226' })
    expect(calls).toEqual(['/api/areas/433124110226'])
  })

  it('a caller that aborts stops waiting; the others still get the answer', async () => {
    const c = new AbortController()
    const a = getCached('/api/areas/43', c.signal)
    const b = getCached('/api/areas/43')
    c.abort()
    await expect(a).rejects.toBeDefined()
    await flush()
    expect(await b).toEqual({ url: '/api/areas/43' })
    expect(calls).toEqual(['/api/areas/43'])
  })

  it('a failure is not kept: the next call asks again', async () => {
    const a = getCached('/api/fail')
    await flush()
    await expect(a).rejects.toMatchObject({ status: 503 })
    const b = getCached('/api/fail')
    await flush()
    await expect(b).rejects.toMatchObject({ status: 503 })
    expect(calls).toEqual(['/api/fail', '/api/fail'])
  })

  it('an answer arriving after clearCache (the session ended) is not kept for the next user', async () => {
    const a = getCached('/api/areas/4331')
    clearCache()
    await flush()
    await a
    const b = getCached('/api/areas/4331')
    await flush()
    await b
    expect(calls).toEqual(['/api/areas/4331', '/api/areas/4331'])
  })
})
