// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { ApiError, getJson } from '../../client/src/api/http.js'
import { problemKey } from '../../client/src/api/problems.js'
import { useRequest } from '../../client/src/composables/useRequest.js'
import zh from '../../client/src/i18n/zh-CN.js'
import en from '../../client/src/i18n/en.js'

/**
 * Issue 14, finding 11: the server's English ("the role auditor may not use this") never reaches the
 * Chinese interface. The client shows its own text, chosen by the answer's status and its `code`;
 * the server's message is kept as detail only.
 */
const text = (messages: object, key: string) => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], messages)
const HAN = /[\u4e00-\u9fff]/

describe('problemKey: what to tell the user, by status and code', () => {
  it('maps each status the API answers to its own text', () => {
    const cases: [number, string][] = [
      [400, 'problems.badRequest'],
      [401, 'problems.signedOut'],
      [403, 'problems.forbidden'],
      [404, 'problems.notFound'],
      [409, 'problems.conflict'],
      [413, 'problems.tooLarge'],
      [415, 'problems.unsupported'],
      [429, 'problems.tooMany'],
      [500, 'problems.server'],
      [502, 'problems.server'],
      [503, 'problems.unavailable'],
    ]
    for (const [status, key] of cases) expect(problemKey(new ApiError(status, 'english text')), String(status)).toBe(key)
  })

  it('a known code wins over the status; an unknown code falls back to the status', () => {
    expect(problemKey(new ApiError(400, 'a value in the request is out of range or malformed', 'invalid_value'))).toBe('problems.invalidValue')
    expect(problemKey(new ApiError(503, 'the database is unavailable; try again shortly', 'db_unavailable'))).toBe('problems.dbUnavailable')
    expect(problemKey(new ApiError(403, 'x', 'some_future_code'))).toBe('problems.forbidden')
  })

  it('a failed fetch is a network problem; anything else is generic', () => {
    expect(problemKey(new TypeError('Failed to fetch'))).toBe('problems.network')
    expect(problemKey(new SyntaxError('Unexpected token < in JSON'))).toBe('problems.generic')
    expect(problemKey(new ApiError(418, "I'm a teapot"))).toBe('problems.generic')
    expect(problemKey('weird')).toBe('problems.generic')
  })

  it('every key has a Chinese text (with Chinese in it) and an English one', () => {
    const keys = new Set([
      ...[400, 401, 403, 404, 409, 413, 415, 418, 429, 500, 503].map((s) => problemKey(new ApiError(s, 'x'))),
      ...['invalid_value', 'db_unavailable'].map((c) => problemKey(new ApiError(400, 'x', c))),
      problemKey(new TypeError('x')),
    ])
    for (const k of keys) {
      expect(text(zh, k), `zh ${k}`).toMatch(HAN)
      expect(typeof text(en, k), `en ${k}`).toBe('string')
    }
  })
})

describe('the API client keeps the status, code and English detail apart', () => {
  beforeEach(() => {
    vi.stubGlobal('fetch', async () =>
      new Response(JSON.stringify({ error: 'Forbidden', message: 'the role auditor may not use this', code: 'role' }), { status: 403, headers: { 'content-type': 'application/json' } }),
    )
  })
  afterEach(() => vi.unstubAllGlobals())

  it('getJson throws an ApiError with status, code and the server text as detail', async () => {
    const e = (await getJson('/api/areas/43').catch((x: unknown) => x)) as ApiError
    expect(e).toBeInstanceOf(ApiError)
    expect([e.status, e.code, e.detail]).toEqual([403, 'role', 'the role auditor may not use this'])
  })

  it('useRequest holds the localised problem, never the server’s English, and the English as detail', async () => {
    const scope = effectScope()
    const req = scope.run(() => useRequest(ref('43'), (code, signal) => getJson(`/api/areas/${code}`, signal)))!
    await vi.waitFor(() => expect(req.state.value).toBe('error'))
    await nextTick()
    expect(req.error.value).toBe('problems.forbidden')
    expect(text(zh, req.error.value!)).toMatch(HAN)
    expect(req.detail.value).toBe('the role auditor may not use this')
    scope.stop()
  })
})
