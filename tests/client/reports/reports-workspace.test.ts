// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { i18n } from '../../../client/src/i18n/index.js'
import { useSessionStore } from '../../../client/src/stores/session.js'
import { useSelectionStore } from '../../../client/src/stores/selection.js'
import ReportsWorkspace from '../../../client/src/reports/ReportsWorkspace.vue'

type Node = { textContent: string | null; querySelector(s: string): Node | null; querySelectorAll(s: string): ArrayLike<Node>; getAttribute(n: string): string | null }
const doc = (globalThis as unknown as { document: Node & { body: Node & { innerHTML: string } } }).document

const REPORT = {
  id: 'status', title: '建档立卡贫困户及人口（按脱贫状态）', titleEn: 'By status', area: { code: '433124', name: '花垣县', level: 'county' }, year: 2020,
  columns: [{ key: 'poorHouseholds', title: '未脱贫户数', titleEn: 'Poor: households', unit: '户' }],
  rows: [{ code: '433124110', name: '双龙镇', poorHouseholds: 12 }, { code: '433124111', name: '测试乡', poorHouseholds: 30 }],
  total: { poorHouseholds: 42 },
}

function stubApi(handlers: [string, (url: string, init: { method?: string; headers?: Record<string, string> }) => { status: number; body: unknown }][]) {
  const calls: { url: string; method: string; csrf: string | null; type: string | null }[] = []
  vi.stubGlobal('fetch', async (url: string, init: { method?: string; headers?: Record<string, string> } = {}) => {
    calls.push({ url, method: init.method ?? 'GET', csrf: init.headers?.['x-csrf-token'] ?? null, type: init.headers?.['content-type'] ?? null })
    const h = handlers.find(([prefix]) => url.startsWith(prefix))
    const a = h ? h[1](url, init) : { status: 404, body: { error: 'Not Found', message: url } }
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } })
  })
  return calls
}

describe('the reports work screen', () => {
  let pinia: Pinia
  let wrapper: VueWrapper | null = null
  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    i18n.global.locale.value = 'zh-CN'
    useSessionStore().set({ username: 'officer.huayuan', displayName: '花垣县', role: 'county_officer', scope: '433124' }, 'csrf-1')
    useSelectionStore().select('433124')
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = null
    vi.unstubAllGlobals()
    doc.body.innerHTML = ''
  })

  it('shows the table of the selected area with its total, and links its XLSX and PDF', async () => {
    const calls = stubApi([
      ['/api/reports/status', () => ({ status: 200, body: REPORT })],
      ['/api/reports', () => ({ status: 200, body: [{ id: 'status', title: REPORT.title, titleEn: REPORT.titleEn }] })],
      ['/api/report-snapshots', () => ({ status: 200, body: [] })],
    ])
    wrapper = mount(ReportsWorkspace, { props: { params: {} }, global: { plugins: [pinia, i18n] }, attachTo: doc.body as never })
    await flushPromises()
    expect(calls.some((c) => c.url === '/api/reports/status?area=433124&year=2020')).toBe(true)
    const cells = [...(doc.querySelectorAll('[data-testid=report-table] tbody tr') as ArrayLike<Node> & Iterable<Node>)].map((r) => r.textContent?.replace(/\s+/g, ''))
    expect(cells).toEqual(['双龙镇12', '测试乡30', '合计42'])
    expect(doc.querySelector('[data-testid=report-xlsx]')!.getAttribute('href')).toBe('/api/reports/status?area=433124&year=2020&format=xlsx')
    expect(doc.querySelector('[data-testid=report-pdf]')!.getAttribute('href')).toBe('/api/reports/status?area=433124&year=2020&format=pdf')
  })

  it('the import: a dry run sends the file with the CSRF token and shows each problem', async () => {
    const calls = stubApi([
      ['/api/reports', () => ({ status: 200, body: [] })],
      ['/api/report-snapshots', () => ({ status: 200, body: [] })],
      ['/api/imports/progress', () => ({ status: 200, body: { job: 'x', percent: 50, state: 'running' } })],
      [
        '/api/imports?',
        () => ({
          status: 200,
          body: { rows: 3, errors: [{ row: 3, column: '身份证号', value: '433124**********1X', problem: '身份证号校验码错误（GB 11643）' }], create: 1, change: 0, unchanged: 0, households: [], unmapped: [], encoding: 'gb18030', dryRun: true },
        }),
      ],
    ])
    wrapper = mount(ReportsWorkspace, { props: { params: { tab: 'import' } }, global: { plugins: [pinia, i18n] }, attachTo: doc.body as never })
    await flushPromises()
    const input = wrapper.find('[data-testid=import-file]')
    const file = new File(['户主身份证号\n'], 'households.csv', { type: 'text/csv' })
    Object.defineProperty(input.element, 'files', { value: [file] })
    await input.trigger('change')
    await wrapper.find('[data-testid=import-dry-run]').trigger('click')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.url).toMatch(/^\/api\/imports\?kind=households&dryRun=true&job=/)
    expect(post.csrf).toBe('csrf-1')
    expect(post.type).toBe('text/csv')
    expect(doc.querySelector('[data-testid=import-summary]')!.textContent).toBe('共 3 行：新增 1 户，变更 0 户，无变化 0 户')
    const problems = [...(doc.querySelectorAll('[data-testid=import-problems] tbody tr') as ArrayLike<Node> & Iterable<Node>)].map((r) => r.textContent)
    expect(problems).toEqual(['3身份证号433124**********1X身份证号校验码错误（GB 11643）'])
    // A file with problems is not imported.
    expect(wrapper.find('[data-testid=import-run]').attributes('disabled')).toBeDefined()
  })

  it('the import of projects: a zipped Shapefile goes as application/zip with the kind, and the report names the coordinate system', async () => {
    const calls = stubApi([
      ['/api/reports', () => ({ status: 200, body: [] })],
      ['/api/report-snapshots', () => ({ status: 200, body: [] })],
      ['/api/imports/progress', () => ({ status: 200, body: { job: 'x', percent: 50, state: 'running' } })],
      [
        '/api/imports?',
        () => ({
          status: 200,
          body: { rows: 2, errors: [], create: 1, change: 0, unchanged: 1, items: [], unmapped: [], encoding: 'UTF-8', crs: 'EPSG:4546 CGCS2000_3_Degree_GK_CM_111E', converted: 0, dryRun: true },
        }),
      ],
    ])
    wrapper = mount(ReportsWorkspace, { props: { params: { tab: 'import', kind: 'projects' } }, global: { plugins: [pinia, i18n] }, attachTo: doc.body as never })
    await flushPromises()
    expect([...(doc.querySelectorAll('a[download]') as ArrayLike<Node> & Iterable<Node>)].map((a) => a.getAttribute('href'))).toContain('/api/imports/template?kind=projects&format=xlsx')
    const input = wrapper.find('[data-testid=import-file]')
    Object.defineProperty(input.element, 'files', { value: [new File([new Uint8Array([0x50, 0x4b, 3, 4])], 'roads.zip')] })
    await input.trigger('change')
    await wrapper.find('[data-testid=import-dry-run]').trigger('click')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.url).toMatch(/^\/api\/imports\?kind=projects&dryRun=true&job=/)
    expect(post.type).toBe('application/zip')
    expect(doc.querySelector('[data-testid=import-summary]')!.textContent).toBe('共 2 行：新增 1 项，变更 0 项，无变化 1 项')
    expect(doc.querySelector('[data-testid=import-crs-found]')!.textContent).toBe('坐标系：EPSG:4546 CGCS2000_3_Degree_GK_CM_111E')
  })
})
