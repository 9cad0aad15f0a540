// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { startView } from '../../client/src/areas/start-view.js'
import { enrolProblem, groupSecret, normaliseCode, signInProblem } from '../../client/src/api/auth-problems.js'
import { useSessionStore, type SessionUser } from '../../client/src/stores/session.js'
import { useSession } from '../../client/src/composables/useSession.js'
import { sameLegend, useHouseholdLegendStore, type AggregationLegend } from '../../client/src/stores/household-legend.js'
import zh from '../../client/src/i18n/zh-CN.js'
import en from '../../client/src/i18n/en.js'

const officer: SessionUser = { username: 'officer.xiangxi', displayName: '湘西州扶贫办', role: 'prefecture_officer', scope: '4331', factor: 'ok' }

describe('startView', () => {
  it('opens on the user’s area when the link held no view', () => {
    expect(startView({ scope: '4331', linkSelected: null, linkCamera: false })).toEqual({ select: '4331', fit: true })
  })
  it('keeps a link’s selection inside the user’s area, and a link’s camera', () => {
    expect(startView({ scope: '4331', linkSelected: '433124', linkCamera: false })).toEqual({ select: null, fit: true })
    expect(startView({ scope: '4331', linkSelected: '433124', linkCamera: true })).toEqual({ select: null, fit: false })
    expect(startView({ scope: '43', linkSelected: '4331', linkCamera: true })).toEqual({ select: null, fit: false })
  })
  it('a camera-only link keeps its camera and selects the user’s area', () => {
    expect(startView({ scope: '4331', linkSelected: null, linkCamera: true })).toEqual({ select: '4331', fit: false })
  })
  it('a link’s selection outside the user’s area (it would only answer 404) gives way to the user’s area, brought into view', () => {
    expect(startView({ scope: '433124', linkSelected: '433125', linkCamera: true })).toEqual({ select: '433124', fit: true })
    expect(startView({ scope: '4331', linkSelected: '43', linkCamera: false })).toEqual({ select: '4331', fit: true })
  })
  it('a malformed or missing scope selects nothing', () => {
    expect(startView({ scope: 'x', linkSelected: null, linkCamera: false })).toEqual({ select: null, fit: true })
    expect(startView({ scope: undefined, linkSelected: '433124', linkCamera: false })).toEqual({ select: null, fit: true })
  })
})

describe('auth problems', () => {
  it('signInProblem: an i18n key per situation, and whether a code is needed', () => {
    expect(signInProblem(401, { totpRequired: true }, false)).toEqual({ key: 'signIn.codeNeeded', totpRequired: true })
    expect(signInProblem(401, { totpRequired: true }, true)).toEqual({ key: 'signIn.codeWrong', totpRequired: true })
    expect(signInProblem(401, {}, false)).toEqual({ key: 'signIn.failed', totpRequired: false })
    expect(signInProblem(429, {}, false).key).toBe('signIn.tooMany')
    expect(signInProblem(400, {}, false).key).toBe('signIn.invalid')
    expect(signInProblem(503, {}, false).key).toBe('signIn.unavailable')
  })
  it('enrolProblem: signed out, already enrolled, wrong code', () => {
    expect(enrolProblem(401, 'enrol').key).toBe('totp.signedOut')
    expect(enrolProblem(409, 'enrol').key).toBe('totp.already')
    expect(enrolProblem(400, 'confirm').key).toBe('totp.codeMismatch')
    expect(enrolProblem(400, 'enrol').key).toBe('signIn.unavailable')
  })
  it('every key has a Chinese and an English string', () => {
    const keys = [
      ...[[401, true, false], [401, true, true], [401, false, false], [429, false, false], [400, false, false], [500, false, false]].map(
        ([s, t, c]) => signInProblem(s as number, { totpRequired: t as boolean }, c as boolean).key,
      ),
      ...[401, 409, 429, 400, 500].flatMap((s) => [enrolProblem(s, 'enrol').key, enrolProblem(s, 'confirm').key]),
    ]
    const get = (messages: object, key: string) => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], messages)
    for (const k of keys) {
      expect(typeof get(zh, k), `zh ${k}`).toBe('string')
      expect(typeof get(en, k), `en ${k}`).toBe('string')
    }
  })
  it('groupSecret and normaliseCode', () => {
    expect(groupSecret('KVKFKRCPNZQUYMLXOV')).toBe('KVKF KRCP NZQU YMLX OV')
    expect(normaliseCode(' 123 456 ')).toBe('123456')
    expect(normaliseCode('123-456')).toBe('123456')
    expect(normaliseCode('12345')).toBeNull()
    expect(normaliseCode('12345a')).toBeNull()
  })
})

describe('session store and useSession', () => {
  const calls: { url: string; init: RequestInit | undefined }[] = []
  let answers: Record<string, { status: number; body: unknown }>
  beforeEach(() => {
    setActivePinia(createPinia())
    calls.length = 0
    answers = {}
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      calls.push({ url, init })
      const a = answers[url] ?? { status: 404, body: { error: 'Not Found', message: 'no' } }
      return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } })
    })
  })
  afterEach(() => vi.unstubAllGlobals())

  it('ready only with the second factor set up', () => {
    const s = useSessionStore()
    expect([s.ready, s.needsEnrolment]).toEqual([false, false])
    s.set({ ...officer, factor: 'enrol' }, 't')
    expect([s.ready, s.needsEnrolment]).toEqual([false, true])
    s.set(officer, 't')
    expect([s.ready, s.needsEnrolment]).toEqual([true, false])
  })

  it('sign-in answering that enrolment is pending, then enrol and confirm with the session’s CSRF token', async () => {
    answers['/api/auth/csrf'] = { status: 200, body: { csrfToken: 'c0' } }
    answers['/api/auth/login'] = { status: 200, body: { user: { ...officer, factor: 'enrol' }, csrfToken: 'c1' } }
    answers['/api/auth/totp/enrol'] = { status: 200, body: { secret: 'KVKFKRCP', uri: 'otpauth://totp/x?secret=KVKFKRCP' } }
    answers['/api/auth/totp/confirm'] = { status: 200, body: { user: officer, csrfToken: 'c2' } }
    const store = useSessionStore()
    const s = useSession()
    expect(await s.signIn('officer.xiangxi', 'pw', '')).toBeNull()
    expect(store.needsEnrolment).toBe(true)
    expect(await s.enrolTotp()).toEqual({ secret: 'KVKFKRCP', uri: 'otpauth://totp/x?secret=KVKFKRCP' })
    expect(await s.confirmTotp('123456')).toBeNull()
    expect([store.ready, store.csrfToken]).toEqual([true, 'c2'])
    const confirm = calls.find((c) => c.url === '/api/auth/totp/confirm')!
    expect(confirm.init?.body).toBe('{"code":"123456"}')
    expect((confirm.init?.headers as Record<string, string>)['x-csrf-token']).toBe('c1')
  })

  it('a wrong confirmation code keeps the enrolment pending', async () => {
    useSessionStore().set({ ...officer, factor: 'enrol' }, 'c1')
    answers['/api/auth/totp/confirm'] = { status: 400, body: { error: 'Bad Request', message: 'the code does not match' } }
    expect(await useSession().confirmTotp('000000')).toEqual({ key: 'totp.codeMismatch', totpRequired: false })
    expect(useSessionStore().needsEnrolment).toBe(true)
  })

  it('sign-in with a code-protected account asks for the code; sign-out sends no empty JSON body', async () => {
    answers['/api/auth/csrf'] = { status: 200, body: { csrfToken: 'c0' } }
    answers['/api/auth/login'] = { status: 401, body: { error: 'Unauthorized', message: 'enter the code', totpRequired: true } }
    expect(await useSession().signIn('officer.xiangxi', 'pw', '')).toEqual({ key: 'signIn.codeNeeded', totpRequired: true })
    expect(JSON.parse(calls.at(-1)!.init!.body as string)).toEqual({ username: 'officer.xiangxi', password: 'pw' })
    useSessionStore().set(officer, 'c1')
    answers['/api/auth/logout'] = { status: 204, body: null }
    await useSession().signOut()
    const out = calls.at(-1)!
    expect(out.init?.body).toBeUndefined()
    expect((out.init?.headers as Record<string, string>)['content-type']).toBeUndefined()
    expect(useSessionStore().user).toBeNull()
  })
})

describe('household legend store', () => {
  beforeEach(() => setActivePinia(createPinia()))
  const hex: AggregationLegend = { mode: 'hexagon', colors: ['#ffffb2', '#bd0026'], domain: [3, 900], households: 1200, points: 40 }

  it('keeps the same object when an equal legend is set (no re-render per rebuild); null clears it', () => {
    const s = useHouseholdLegendStore()
    s.set(hex)
    const first = s.drawn
    s.set({ ...hex, colors: [...hex.colors], domain: [3, 900] })
    expect(s.drawn).toBe(first)
    s.set({ ...hex, domain: [3, 901] })
    expect(s.drawn?.domain).toEqual([3, 901])
    s.set(null)
    expect(s.drawn).toBeNull()
    expect(sameLegend(hex, { ...hex, mode: 'heatmap' })).toBe(false)
  })
})
