// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { getCached, getJson, onSessionEnded } from '../../client/src/api/http.js'
import { useSessionStore, type SessionUser } from '../../client/src/stores/session.js'
import { useSession } from '../../client/src/composables/useSession.js'
import { useIndicators } from '../../client/src/composables/useIndicators.js'
import { useSelectionStore } from '../../client/src/stores/selection.js'
import { useHouseholdLegendStore } from '../../client/src/stores/household-legend.js'
import { useInspectionStore } from '../../client/src/stores/inspection.js'
import { CHOROPLETH_DEFAULTS, useChoroplethStore } from '../../client/src/stores/choropleth.js'
import { DEFAULT_LAYERS, useLayersStore } from '../../client/src/stores/layers.js'
import { HUNAN_VIEW, useMapViewStore } from '../../client/src/stores/map-view.js'
import { useUiStore } from '../../client/src/stores/ui.js'

/**
 * Issue 14: nothing is asked of the API before sign-in (finding 11), and nothing of a session is
 * kept after it ends (sign-out, or a 401 meaning it ended elsewhere): every store holding area or
 * household data is reset and the client's caches are emptied (low finding).
 */
const officer: SessionUser = { username: 'officer.xiangxi', displayName: '湘西州扶贫办', role: 'prefecture_officer', scope: '4331', factor: 'ok' }
/** happy-dom's localStorage (tests are also checked without the DOM library). */
const storage = (globalThis as unknown as { localStorage: { clear(): void; readonly length: number } }).localStorage
const INDICATOR = { code: 'dist_school_km', nameZh: '距最近学校距离', nameEn: 'Distance to school', unit: 'km', direction: 'lower_better', category: 'education', description: null, aggregation: 'weighted_mean', years: [2020], threshold: null }

describe('session lifetime in the client', () => {
  const calls: string[] = []
  let answers: Record<string, { status: number; body: unknown }>
  let unsubscribe: () => void
  beforeEach(() => {
    setActivePinia(createPinia())
    // As App.vue does: a 401 from a data route ends the session.
    unsubscribe = onSessionEnded(useSession().endSession)
    storage.clear()
    calls.length = 0
    answers = {
      '/api/auth/me': { status: 200, body: { user: officer, csrfToken: 'c1' } },
      '/api/auth/csrf': { status: 200, body: { csrfToken: 'c0' } },
      '/api/auth/login': { status: 200, body: { user: officer, csrfToken: 'c1' } },
      '/api/auth/logout': { status: 204, body: null },
      '/api/indicators': { status: 200, body: [INDICATOR] },
      '/api/areas/433124': { status: 200, body: { code: '433124', name: '花垣县' } },
    }
    vi.stubGlobal('fetch', async (url: string) => {
      calls.push(url)
      const a = answers[url] ?? { status: 404, body: { error: 'Not Found', message: 'no' } }
      return new Response(a.status === 204 ? null : JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } })
    })
  })
  afterEach(() => {
    unsubscribe()
    vi.unstubAllGlobals()
  })

  /** What a user leaves behind after looking around. */
  async function lookAround() {
    useSelectionStore().select('433124')
    useSelectionStore().setCompare('433125')
    useHouseholdLegendStore().set({ mode: 'hexagon', colors: ['#fff', '#000'], domain: [1, 90], households: 900, points: 12 })
    useInspectionStore().start(3)
    useInspectionStore().present(true)
    Object.assign(useChoroplethStore(), { indicator: 'dist_school_km', year: 2016, method: 'quantile', classes: 3 })
    useLayersStore().setLayers(['households'])
    useLayersStore().setHouseholdFilter('status', ['poor'])
    useMapViewStore().setView([109.5, 28.3], 12, 10, 30)
    useMapViewStore().setTerrain(true)
    useUiStore().setLocale('en')
    await getCached('/api/areas/433124')
    useIndicators()
    await vi.waitFor(() => expect(useIndicators().state.value).toBe('done'))
  }

  function expectNothingKept() {
    expect(useSessionStore().user).toBeNull()
    expect(storage.length).toBe(0)
    expect([useSelectionStore().code, useSelectionStore().compareCode]).toEqual(['43', null])
    expect(useHouseholdLegendStore().drawn).toBeNull()
    expect(useInspectionStore()).toMatchObject({ open: false, index: 0, presenting: false })
    expect(useChoroplethStore()).toMatchObject(CHOROPLETH_DEFAULTS)
    expect(useLayersStore().visible).toEqual(DEFAULT_LAYERS)
    expect(useLayersStore().households.status).toEqual([])
    expect(useMapViewStore()).toMatchObject({ center: HUNAN_VIEW.center, zoom: HUNAN_VIEW.zoom, bearing: 0, pitch: 0, terrain: false, fromLink: false })
    expect(useIndicators().list.value).toEqual([])
  }

  it('on a first visit (never signed in here) nothing is requested: the sign-in form shows at once', async () => {
    const store = useSessionStore()
    await useSession().check()
    expect(calls).toEqual([])
    expect([store.state, store.user]).toEqual(['done', null])
    // The indicator definitions wait for a session too.
    useIndicators()
    await Promise.resolve()
    expect(calls).toEqual([])
  })

  it('after signing in, a later visit asks who is signed in and finds the session', async () => {
    expect(await useSession().signIn('officer.xiangxi', 'pw', '')).toBeNull()
    setActivePinia(createPinia())
    calls.length = 0
    await useSession().check()
    expect(calls).toEqual(['/api/auth/me'])
    expect(useSessionStore().user?.username).toBe('officer.xiangxi')
  })

  it('a session that ended meanwhile shows the sign-in form and is not asked for again', async () => {
    await useSession().signIn('officer.xiangxi', 'pw', '')
    answers['/api/auth/me'] = { status: 401, body: { error: 'Unauthorized', message: 'sign in first' } }
    setActivePinia(createPinia())
    await useSession().check()
    expect([useSessionStore().state, useSessionStore().user]).toEqual(['done', null])
    calls.length = 0
    await useSession().check()
    expect(calls).toEqual([])
  })

  it('signing out resets every store holding area or household data and empties the caches (the language stays)', async () => {
    await useSession().signIn('officer.xiangxi', 'pw', '')
    await lookAround()
    await useSession().signOut()
    expect(calls).toContain('/api/auth/logout')
    expectNothingKept()
    expect(useUiStore().locale).toBe('en')
    // The cached area is asked for again by the next user.
    calls.length = 0
    await getCached('/api/areas/433124')
    expect(calls).toEqual(['/api/areas/433124'])
  })

  it('a 401 from a data route means the session ended: the same reset, and back to the sign-in form', async () => {
    await useSession().signIn('officer.xiangxi', 'pw', '')
    await lookAround()
    answers['/api/areas/43/stats?year=2020'] = { status: 401, body: { error: 'Unauthorized', message: 'sign in first (POST /api/auth/login)' } }
    await expect(getJson('/api/areas/43/stats?year=2020')).rejects.toMatchObject({ status: 401 })
    expect(useSessionStore().state).toBe('done')
    expectNothingKept()
  })

  it('a 403 or 404 leaves the session alone', async () => {
    await useSession().signIn('officer.xiangxi', 'pw', '')
    answers['/api/audit'] = { status: 403, body: { error: 'Forbidden', message: 'the role prefecture_officer may not use this' } }
    await expect(getJson('/api/audit')).rejects.toMatchObject({ status: 403 })
    expect(useSessionStore().user?.username).toBe('officer.xiangxi')
  })
})
