// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { i18n } from '../../../client/src/i18n/index.js'
import { useSessionStore } from '../../../client/src/stores/session.js'
import { useSelectionStore } from '../../../client/src/stores/selection.js'
import { useChoroplethStore } from '../../../client/src/stores/choropleth.js'
import { useLayersStore } from '../../../client/src/stores/layers.js'
import { CHOROPLETH } from '../../../client/src/layers/catalog.js'
import { forgetProfiles, loadConfig, mpiChildrenValues, mpiIndicator } from '../../../client/src/identification/mpi-source.js'
import HouseholdWhy from '../../../client/src/identification/HouseholdWhy.vue'
import IdentificationWorkspace from '../../../client/src/identification/IdentificationWorkspace.vue'
import IndicatorSystem from '../../../client/src/identification/IndicatorSystem.vue'
import { measureFromProfile } from '../../../domain/identification/profile.js'
import type { IdentificationConfig } from '../../../domain/identification/schemas.js'

type Node = { textContent: string | null; querySelector(s: string): Node | null; querySelectorAll(s: string): ArrayLike<Node>; getAttribute(n: string): string | null }
const doc = (globalThis as unknown as { document: Node & { body: Node & { innerHTML: string } } }).document
const COUNTY = '433124'

const CONFIG: IdentificationConfig = {
  indicators: [
    { code: 'a', nameZh: '甲', nameEn: 'A', unit: 'bool', dimension: 'income', afBit: 0, direction: 'higher_better', cutoff: 1, note: { zh: '', en: '' } },
    { code: 'b', nameZh: '乙', nameEn: 'B', unit: 'bool', dimension: 'housing', afBit: 1, direction: 'higher_better', cutoff: 1, note: { zh: '', en: '' } },
  ],
  dimensions: ['income', 'housing'],
  k: 0.5,
  weights: { a: 1, b: 1 },
  updatedAt: '2026-12-05T00:00:00.000Z',
  updatedBy: null,
}
// Village 1: 3 people deprived in a (c = 1/2, poor), 2 in nothing; village 2: 4 people in a and b.
const ROWS1 = [
  { mask: 1, poorOfficial: true, households: 1, people: 3 },
  { mask: 0, poorOfficial: false, households: 1, people: 2 },
]
const ROWS2 = [{ mask: 3, poorOfficial: true, households: 1, people: 4 }]

function stubApi(handlers: [string, (url: string) => { status: number; body: unknown }][]) {
  const calls: string[] = []
  vi.stubGlobal('fetch', async (url: string) => {
    calls.push(url)
    const h = handlers.find(([prefix]) => url.startsWith(prefix))
    const a = h ? h[1](url) : { status: 404, body: { error: 'Not Found', message: url } }
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } })
  })
  return calls
}
const API: [string, (url: string) => { status: number; body: unknown }][] = [
  ['/api/identification/config', () => ({ status: 200, body: CONFIG })],
  ['/api/identification/scenarios', () => ({ status: 200, body: [{ id: 1, name: 'default', areaCode: '43', shared: true, isDefault: true, mine: false, k: 0.5, weights: CONFIG.weights, createdAt: '2026-12-05T00:00:00Z' }] })],
  [`/api/areas/${COUNTY}/mpi/profile`, () => ({ status: 200, body: { code: COUNTY, name: '花垣县', year: 2020, rows: [...ROWS1, ...ROWS2] } })],
  [
    `/api/areas/${COUNTY}/children/mpi/profile`,
    () => ({ status: 200, body: { code: COUNTY, year: 2020, level: 'township', children: [{ code: '433124110', name: '双龙镇', year: 2020, rows: ROWS1 }, { code: '433124111', name: '测试乡', year: 2020, rows: ROWS2 }] } }),
  ],
]

describe('identification client', () => {
  let pinia: Pinia
  let wrapper: VueWrapper | null = null
  beforeEach(async () => {
    pinia = createPinia()
    setActivePinia(pinia)
    i18n.global.locale.value = 'zh-CN'
    forgetProfiles()
    stubApi(API)
    await loadConfig(undefined, true)
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = null
    vi.unstubAllGlobals()
    doc.body.innerHTML = ''
  })

  it('mpiChildrenValues colours each child by the measure computed with the given weights and k', async () => {
    const m0 = await mpiChildrenValues(COUNTY, 2020, { measure: 'M0', k: 0.5, weights: { a: 1, b: 1 } }, new AbortController().signal)
    expect(m0.values.map((v) => v.value)).toEqual([(3 * 0.5) / 5, 1])
    // Weighing b alone: village 1's household is no longer deprived in anything that counts.
    const h = await mpiChildrenValues(COUNTY, 2020, { measure: 'H', k: 0.5, weights: { a: 0, b: 1 } }, new AbortController().signal)
    expect(h.values.map((v) => v.value)).toEqual([0, 1])
    const c = await mpiChildrenValues(COUNTY, 2020, { measure: 'contribution', indicator: 'a', k: 0.5, weights: { a: 1, b: 1 } }, new AbortController().signal)
    expect(c.values.map((v) => v.value)).toEqual([1, 0.5])
    expect(mpiIndicator({ measure: 'contribution', indicator: 'a', k: 0.5, weights: {} }, CONFIG).nameZh).toContain('甲')
  })

  it('the work screen shows the default beside the scenario and puts the measure on the map', async () => {
    useSessionStore().set({ username: 'officer', displayName: '花垣县', role: 'county_officer', scope: COUNTY }, 'c')
    useSelectionStore().select(COUNTY)
    useChoroplethStore().year = 2020
    wrapper = mount(IdentificationWorkspace, { props: { params: {} }, global: { plugins: [pinia, i18n], stubs: { ContributionChart: true } }, attachTo: doc.body as never })
    await flushPromises()
    await flushPromises()
    const expected = measureFromProfile(CONFIG.indicators, CONFIG.weights, CONFIG.k, [...ROWS1, ...ROWS2])
    const m0 = doc.querySelector('[data-figure="M0"]')
    expect(Number(m0?.getAttribute('data-value'))).toBeCloseTo(expected.M0, 12)
    expect(doc.querySelectorAll('[data-testid="identification-children"] tbody tr').length).toBe(2)
    expect(doc.querySelector('[data-testid="identification-scenarios"]')?.textContent).toContain('默认方案')
    await wrapper.find('[data-testid="identification-show-map"]').trigger('click')
    const store = useChoroplethStore()
    expect(store.mpi).toMatchObject({ measure: 'M0', k: 0.5 })
    expect(useLayersStore().isVisible(CHOROPLETH)).toBe(true)
  })

  it('HouseholdWhy asks for the why only when opened and shows both rules', async () => {
    const calls = stubApi([
      [
        '/api/households/',
        () => ({
          status: 200,
          body: {
            ref: 'r', year: 2020, k: 1 / 3, score: 0.5, poorAf: true, poorOfficial: false, income: 5000, line: 4000,
            indicators: [
              { code: 'af_income', nameZh: '收入', nameEn: 'Income', dimension: 'income', weight: 0.5, value: 1.25, cutoff: 1, deprived: false, text: { zh: '不低于贫困线', en: 'not under' } },
              { code: 'af_housing', nameZh: '住房', nameEn: 'Housing', dimension: 'housing', weight: 0.5, value: 4, cutoff: 2, deprived: true, text: { zh: '住房鉴定为D级危房', en: 'D' } },
            ],
            officialGaps: [],
            verdict: { af: { zh: '多维贫困', en: 'poor' }, official: { zh: '可退出', en: 'may exit' } },
          },
        }),
      ],
    ])
    wrapper = mount(HouseholdWhy, { props: { householdRef: '00000000-0000-4000-8000-000000000001', year: 2020 }, global: { plugins: [pinia, i18n] }, attachTo: doc.body as never })
    await flushPromises()
    expect(calls).toEqual([])
    await wrapper.find('[data-testid="household-why-toggle"]').trigger('click')
    await flushPromises()
    expect(calls).toEqual(['/api/households/00000000-0000-4000-8000-000000000001/identification?year=2020'])
    expect(doc.querySelector('[data-indicator="af_housing"]')?.getAttribute('data-deprived')).toBe('true')
    expect(doc.querySelector('[data-testid="why-af"]')?.getAttribute('data-poor')).toBe('true')
    expect(doc.querySelector('[data-testid="why-official"]')?.textContent).toContain('可退出')
  })

  it('the indicator system: everyone reads it, only the province administrator edits, by POST with the CSRF token', async () => {
    const entry = {
      code: 'af_income', nameZh: '人均纯收入（倍贫困线）', nameEn: 'Income', unit: 'ratio', level: 'household', direction: 'higher_better', category: 'identification',
      dimension: 'income', source: 'household_year.income_per_capita', description: null, threshold: { value: 1, basis: 'deprivation_cutoff', note: { zh: '低于贫困线', en: 'below' } }, afBit: 0, version: 1,
    }
    const posts: { url: string; body: Record<string, unknown>; csrf: string | null }[] = []
    vi.stubGlobal('fetch', async (url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) => {
      if (init.method === 'POST') posts.push({ url, body: JSON.parse(init.body ?? '{}') as Record<string, unknown>, csrf: init.headers?.['x-csrf-token'] ?? null })
      const body = url.startsWith('/api/indicator-system') && init.method !== 'POST' ? [entry] : url.startsWith('/api/identification/config') ? CONFIG : url.startsWith('/api/indicators') ? [] : { ...entry, version: 2 }
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
    })
    useSessionStore().set({ username: 'viewer', displayName: '县', role: 'county_officer', scope: COUNTY }, 'c1')
    wrapper = mount(IndicatorSystem, { global: { plugins: [pinia, i18n] }, attachTo: doc.body as never })
    await flushPromises()
    expect(doc.querySelector('[data-indicator="af_income"]')).not.toBeNull()
    expect(doc.querySelector('[data-testid="edit-af_income"]')).toBeNull()
    wrapper.unmount()
    useSessionStore().set({ username: 'admin', displayName: '省', role: 'province_admin', scope: '43' }, 'c2')
    wrapper = mount(IndicatorSystem, { global: { plugins: [pinia, i18n] }, attachTo: doc.body as never })
    await flushPromises()
    await wrapper.find('[data-testid="edit-af_income"]').trigger('click')
    await wrapper.find('[data-testid="edit-save"]').trigger('click')
    await flushPromises()
    expect(posts).toHaveLength(1)
    expect(posts[0]).toMatchObject({ url: '/api/indicator-system?indicator=af_income', csrf: 'c2', body: { threshold: { value: 1, basis: 'deprivation_cutoff' } } })
  })
})
