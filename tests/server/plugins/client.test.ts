import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import Fastify, { type FastifyInstance } from 'fastify'
import clientPlugin from '../../../server/plugins/client.js'

/** A built client in miniature: index.html, one hashed asset with its .br and .gz copies, one without. */
const SCRIPT = `console.log(${JSON.stringify('精准扶贫'.repeat(400))})\n`

describe('client plugin: the built app, precompressed', () => {
  let dir: string
  let app: FastifyInstance

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'povmap-client-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>povmap</title><div id="app"></div>')
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), SCRIPT)
    writeFileSync(join(dir, 'assets', 'index-abc123.js.br'), brotliCompressSync(SCRIPT))
    writeFileSync(join(dir, 'assets', 'index-abc123.js.gz'), gzipSync(SCRIPT))
    writeFileSync(join(dir, 'assets', 'tiny-def456.css'), 'a{}')
    app = Fastify()
    await app.register(clientPlugin, { dir })
    await app.ready()
  })
  afterAll(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('sends the brotli copy to a browser that accepts it, with Content-Encoding and Vary', async () => {
    const res = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-encoding']).toBe('br')
    expect(res.headers.vary).toMatch(/accept-encoding/i)
    expect(res.headers['content-type']).toMatch(/javascript/)
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(SCRIPT)
    expect(res.rawPayload.length).toBeLessThan(Buffer.byteLength(SCRIPT) / 5)
  })

  it('sends the gzip copy where brotli is not accepted, and the original where nothing is', async () => {
    const gz = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip' } })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.rawPayload).toString()).toBe(SCRIPT)
    const plain = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'identity' } })
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.headers.vary).toMatch(/accept-encoding/i)
    expect(plain.body).toBe(SCRIPT)
  })

  it('an asset without compressed copies is sent as it is', async () => {
    const res = await app.inject({ url: '/assets/tiny-def456.css', headers: { 'accept-encoding': 'br, gzip' } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.body).toBe('a{}')
  })

  it('hashed assets are cached for good, the page itself briefly, deep links not at all', async () => {
    const asset = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br' } })
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    const index = await app.inject({ url: '/' })
    expect(index.statusCode).toBe(200)
    expect(index.headers['cache-control']).toBe('public, max-age=3600')
    expect(index.body).toContain('<div id="app">')
    const deep = await app.inject({ url: '/audit?lang=en' })
    expect(deep.statusCode).toBe(200)
    expect(deep.headers['cache-control']).toBe('no-cache')
    expect(deep.body).toContain('<div id="app">')
  })

  it('API paths keep their JSON 404', async () => {
    const res = await app.inject({ url: '/api/nothing-here' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ error: 'Not Found' })
  })
})
