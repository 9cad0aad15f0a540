// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { i18n } from '../../../client/src/i18n/index.js'
import { useSessionStore } from '../../../client/src/stores/session.js'
import CrosschecksWorkspace from '../../../client/src/crosschecks/CrosschecksWorkspace.vue'
import { evidenceRows, fileContentType, shownValue, type Flag } from '../../../client/src/crosschecks/crosschecks-api.js'
import { RULES } from '../../../domain/crosschecks/rules.js'
import { REGISTRIES, REGISTRY_KINDS } from '../../../domain/crosschecks/registries.js'

type Node = { textContent: string | null; querySelector(s: string): Node | null; querySelectorAll(s: string): ArrayLike<Node> }
const doc = (globalThis as unknown as { document: Node & { body: Node & { innerHTML: string } } }).document
const COUNTY = '433124'

const flag = (id: number, state: Flag['state'] = 'open'): Flag => ({
  id, rule: 'vehicle_owner', severity: 'high', state, villageCode: '433124110226', villageName: '十八洞村', householdRef: '00000000-0000-4000-8000-000000000001',
  member: '龙*', year: null, score: null, reasons: [], createdAt: '2026-12-05T00:00:00Z', decidedBy: null, decidedAt: null, note: null,
  evidence: { registry: { status: 'poor', incomePerCapita: 2100 }, external: { vehicleType: '小型轿车', plate: '湘UA10000', idNumber: '433124**********1X' } },
})

function stubApi(handlers: [string, (url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> }) => { status: number; body: unknown }][]) {
  const calls: { url: string; method: string; body: unknown; headers: Record<string, string> }[] = []
  vi.stubGlobal('fetch', async (url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    calls.push({ url, method: init.method ?? 'GET', body: init.body, headers: init.headers ?? {} })
    const h = handlers.find(([prefix]) => url.startsWith(prefix))
    const a = h ? h[1](url, init) : { status: 404, body: { error: 'Not Found', message: url } }
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } })
  })
  return calls
}

describe('crosschecks screen', () => {
  let pinia: Pinia
  let wrapper: VueWrapper | null = null
  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    i18n.global.locale.value = 'zh-CN'
    useSessionStore().set({ username: 'officer.huayuan', displayName: '花垣县', role: 'county_officer', scope: COUNTY }, 'csrf-1')
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = null
    vi.unstubAllGlobals()
    doc.body.innerHTML = ''
  })
  const registries = () => REGISTRY_KINDS.map((k) => ({ ...REGISTRIES[k] }))
  const rules = () => RULES.map((r) => ({ ...r, open: r.code === 'vehicle_owner' ? 1 : 0, confirmed: 0, cleared: 0, confirmationRate: null }))

  it('flags of the caller’s area: the evidence side by side, confirmed with a note and the CSRF token', async () => {
    let decided = false
    const calls = stubApi([
      ['/api/crosschecks/registries', () => ({ status: 200, body: registries() })],
      ['/api/crosschecks/rules', () => ({ status: 200, body: rules() })],
      [`/api/areas/${COUNTY}/flags`, () => ({ status: 200, body: { total: 1, items: [flag(7, decided ? 'confirmed' : 'open')] } })],
      ['/api/flags/7/confirm', () => ((decided = true), { status: 200, body: flag(7, 'confirmed') })],
    ])
    wrapper = mount(CrosschecksWorkspace, { props: { params: {} }, global: { plugins: [pinia, i18n] }, attachTo: doc.body as never })
    await flushPromises()
    // The province is selected by default: a county officer is shown its own county.
    expect(calls.some((c) => c.url.startsWith(`/api/areas/${COUNTY}/flags?`) && c.url.includes('state=open'))).toBe(true)
    expect(wrapper.text()).toContain('家庭成员名下有小汽车或货车')
    await wrapper.find('[data-testid="xc-flag-7"] button.row').trigger('click')
    const evidence = wrapper.find('[data-testid="xc-evidence"]').text()
    expect(evidence).toContain('建档立卡登记')
    expect(evidence).toContain('小型轿车')
    expect(evidence).toContain('2100')
    const note = wrapper.find('[data-testid="xc-note"]')
    await (note.element.tagName === 'INPUT' ? note : note.find('input')).setValue('入户核实，车辆为本人所有')
    await wrapper.find('[data-testid="xc-confirm"]').trigger('click')
    await flushPromises()
    const post = calls.find((c) => c.url === '/api/flags/7/confirm')!
    expect(post.method).toBe('POST')
    expect(post.headers['x-csrf-token']).toBe('csrf-1')
    expect(JSON.parse(String(post.body))).toEqual({ note: '入户核实，车辆为本人所有' })
  })

  it('an import is checked first; a refused file shows its row-by-row report and cannot be imported', async () => {
    const calls = stubApi([
      ['/api/crosschecks/registries', () => ({ status: 200, body: registries() })],
      ['/api/crosschecks/rules', () => ({ status: 200, body: rules() })],
      ['/api/crosschecks/imports', () => ({ status: 200, body: { registry: 'vehicles', format: 'csv', rows: 3, errors: [{ row: 3, column: '身份证明号码', value: '433124**********1X', problem: '身份证号校验码错误（GB 11643）' }], imported: false, importId: null, matched: 0, flags: {}, misidentification: null } })],
    ])
    wrapper = mount(CrosschecksWorkspace, { props: { params: { tab: 'import' } }, global: { plugins: [pinia, i18n] }, attachTo: doc.body as never })
    await flushPromises()
    expect(wrapper.text()).toContain('号牌号码')
    const input = wrapper.find('[data-testid="xc-file"]')
    Object.defineProperty(input.element, 'files', { value: [new File(['号牌号码\n'], 'cars.csv', { type: 'text/csv' })] })
    await input.trigger('change')
    await wrapper.find('[data-testid="xc-check"]').trigger('click')
    await flushPromises()
    const sent = calls.find((c) => c.url.startsWith('/api/crosschecks/imports'))!
    expect(sent.url).toContain('registry=vehicles&dryRun=true')
    expect(sent.headers['content-type']).toBe('text/csv')
    expect(wrapper.find('[data-testid="xc-report"]').text()).toContain('GB 11643')
    expect(wrapper.find('[data-testid="xc-import"]').attributes('disabled')).toBeDefined()
  })

  it('evidence helpers: both sides by key, values as text; XLSX told by its name', () => {
    expect(evidenceRows(flag(1)).map((r) => r.key)).toEqual(['status', 'incomePerCapita', 'vehicleType', 'plate', 'idNumber'])
    expect(evidenceRows(flag(1))[2]).toEqual({ key: 'vehicleType', registry: undefined, external: '小型轿车' })
    expect([shownValue(null), shownValue(true), shownValue(['a', 'b']), shownValue(0.12345), shownValue(3)]).toEqual(['—', '✓', 'a、b', '0.123', '3'])
    expect(fileContentType('a.XLSX')).toMatch(/spreadsheetml/)
    expect(fileContentType('a.csv')).toBe('text/csv')
  })
})
