import { describe, expect, it } from 'vitest'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { acceptsGzip, EarlyAnswers, isBinaryTileUrl, rawHeader, sendTile } from '../../../server/tiles/fast-path.js'

const tile = (body: string) => ({ body: Buffer.from(body), etag: '"abc"' })
const capture = (status: number, headers: Record<string, string | number>, body?: Buffer) => ({ status, headers, body })

describe('sendTile', () => {
  it('answers 304 for the ETag the caller holds, 204 for an empty tile, else 200 with the bytes', () => {
    expect(sendTile(capture, tile('x'), false, '"abc"', false)).toMatchObject({ status: 304, body: undefined, headers: { etag: '"abc"' } })
    expect(sendTile(capture, tile(''), false, undefined, false)).toMatchObject({ status: 204, body: undefined })
    const ok = sendTile(capture, tile('xyz'), false, '"old"', false)
    expect(ok).toMatchObject({ status: 200, headers: { 'content-type': 'application/vnd.mapbox-vector-tile', 'content-length': 3 } })
    expect(ok.body!.toString()).toBe('xyz')
  })

  it('every data tile is private and varies by cookie; personal ones are kept for less long', () => {
    expect(sendTile(capture, tile('x'), false, undefined, false).headers).toMatchObject({ 'cache-control': 'private, max-age=300', vary: 'Accept-Encoding, Cookie' })
    expect(sendTile(capture, tile('x'), true, undefined, false).headers['cache-control']).toBe('private, max-age=60')
  })
})

describe('sendTile with gzip', () => {
  const zipped = { ...tile('plain bytes'), gzip: Buffer.from('zipped') }
  it('sends the gzip bytes with their own ETag to a caller that accepts them, where the tile has them', () => {
    const gz = sendTile(capture, zipped, false, undefined, true)
    expect(gz).toMatchObject({ status: 200, headers: { 'content-encoding': 'gzip', etag: '"abc-gz"', 'content-length': 6 } })
    expect(sendTile(capture, zipped, false, '"abc-gz"', true).status).toBe(304)
    // The plain tile's ETag names other bytes: not a match for the gzip answer, and the other way round.
    expect(sendTile(capture, zipped, false, '"abc"', true).status).toBe(200)
    expect(sendTile(capture, zipped, false, '"abc-gz"', false).status).toBe(200)
    expect(sendTile(capture, zipped, false, undefined, false).headers['content-encoding']).toBeUndefined()
    // A tile compression did not pay for goes out plain, under its plain ETag.
    expect(sendTile(capture, { ...tile('x'), gzip: null }, false, undefined, true).headers).toMatchObject({ etag: '"abc"', 'content-length': 1 })
  })
})

describe('acceptsGzip', () => {
  it('reads Accept-Encoding as HTTP does: gzip, x-gzip or * unless q=0', () => {
    for (const h of ['gzip', 'gzip, deflate, br, zstd', 'br;q=1.0, gzip;q=0.8', 'x-gzip', '*', 'GZIP']) expect(acceptsGzip(h), h).toBe(true)
    for (const h of [undefined, '', 'identity', 'br', 'gzip;q=0', 'gzip; q=0.0, br', 'gzipx']) expect(acceptsGzip(h), String(h)).toBe(false)
  })
})

describe('rawHeader', () => {
  const req = (rawHeaders: string[]) => ({ rawHeaders }) as unknown as IncomingMessage
  it('reads a header in any case; absent or given twice is undefined', () => {
    expect(rawHeader(req(['Host', 'a', 'If-None-Match', '"x"']), 'if-none-match')).toBe('"x"')
    expect(rawHeader(req(['Host', 'a']), 'cookie')).toBeUndefined()
    expect(rawHeader(req(['Cookie', 'a=1', 'cookie', 'b=2']), 'cookie')).toBeUndefined()
  })
})

describe('isBinaryTileUrl', () => {
  it('is true for .mvt and .png tiles, not for TileJSON or other paths', () => {
    expect(isBinaryTileUrl('/tiles/base/1/0/0.mvt?year=2020')).toBe(true)
    expect(isBinaryTileUrl('/tiles/terrain/1/0/0.png')).toBe(true)
    expect(isBinaryTileUrl('/tiles/base.json')).toBe(false)
    expect(isBinaryTileUrl('/api/tiles/1/0/0.mvt')).toBe(false)
  })
})

describe('EarlyAnswers', () => {
  const res = { headersSent: false, destroy: () => undefined } as unknown as ServerResponse
  const get = { method: 'GET', url: '/x' } as IncomingMessage
  it('tries GETs only, and none once closed', () => {
    const early = new EarlyAnswers()
    let tried = 0
    early.add(() => (tried++, true))
    expect(early.answer({ method: 'POST' } as IncomingMessage, res)).toBe(false)
    expect(early.answer(get, res)).toBe(true)
    early.close()
    expect(early.answer(get, res)).toBe(false)
    expect(tried).toBe(1)
  })

  it('an answer that throws before writing leaves the request to Fastify', () => {
    const early = new EarlyAnswers()
    early.add(() => {
      throw new Error('boom')
    })
    expect(early.answer(get, res)).toBe(false)
  })
})
