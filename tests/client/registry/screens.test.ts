// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { i18n } from '../../../client/src/i18n/index.js'
import { useSessionStore } from '../../../client/src/stores/session.js'
import { useSelectionStore } from '../../../client/src/stores/selection.js'
import { useRegistryStore } from '../../../client/src/registry/registry-store.js'
import HouseholdList from '../../../client/src/registry/HouseholdList.vue'
import RequestDetail from '../../../client/src/registry/RequestDetail.vue'
import AccountsWorkspace from '../../../client/src/accounts/AccountsWorkspace.vue'
import type { ChangeRequest, HouseholdListItem } from '../../../client/src/registry/registry-api.js'

type Node = { textContent: string | null; querySelector(s: string): Node | null; querySelectorAll(s: string): ArrayLike<Node>; getAttribute(n: string): string | null }
const doc = (globalThis as unknown as { document: Node & { body: Node & { innerHTML: string } } }).document
const VILLAGE = '433124110226'

/** Records every request; answers by the first handler whose prefix the URL starts with. */
function stubApi(handlers: [string, (url: string, body: Record<string, unknown>) => { status: number; body: unknown }][]) {
  const calls: { url: string; method: string; body: Record<string, unknown>; csrf: string | null }[] = []
  vi.stubGlobal('fetch', async (url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) => {
    const body = init.body ? (JSON.parse(init.body) as Record<string, unknown>) : {}
    calls.push({ url, method: init.method ?? 'GET', body, csrf: init.headers?.['x-csrf-token'] ?? null })
    const h = handlers.find(([prefix]) => url.startsWith(prefix))
    const a = h ? h[1](url, body) : { status: 404, body: { error: 'Not Found', message: url } }
    return new Response(a.status === 204 ? null : JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } })
  })
  return calls
}

describe('registry and account screens', () => {
  let pinia: Pinia
  let wrapper: VueWrapper | null = null
  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    i18n.global.locale.value = 'zh-CN'
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = null
    vi.unstubAllGlobals()
    doc.body.innerHTML = ''
  })
  const mountIt = async (c: Parameters<typeof mount>[0], props: Record<string, unknown> = {}) => {
    wrapper = mount(c, { props, global: { plugins: [pinia, i18n] }, attachTo: doc.body as never })
    await flushPromises()
    return wrapper
  }

  it('the household list asks the server for one page at a time, sorted and filtered there', async () => {
    useSessionStore().set({ username: 'officer.shuanglong', displayName: '双龙镇', role: 'township_officer', scope: '433124110' }, 'c')
    useSelectionStore().select(VILLAGE)
    const item = (i: number): HouseholdListItem => ({
      ref: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, villageCode: VILLAGE, villageName: '十八洞村', year: 2020, status: i % 3 ? 'lifted' : 'poor', mainCause: 'illness',
      attribute: 'general', size: 3, incomePerCapita: 4000, gaps: i % 3 ? [] : ['water'], version: 1, updatedAt: '2026-12-05T00:00:00Z', outsideBoundary: false, openRequests: 0,
    })
    const calls = stubApi([
      [`/api/areas/${VILLAGE}`, () => ({ status: 200, body: { code: VILLAGE, name: '十八洞村' } })],
      [
        '/api/households?',
        (url) => {
          const q = new URL(url, 'http://x').searchParams
          const page = Number(q.get('page'))
          const size = Number(q.get('pageSize'))
          return { status: 200, body: { total: 4321, page, pageSize: size, items: Array.from({ length: size }, (_, k) => item((page - 1) * size + k)) } }
        },
      ],
    ])
    const w = await mountIt(HouseholdList)
    const lists = () => calls.filter((c) => c.url.startsWith('/api/households?')).map((c) => Object.fromEntries(new URL(c.url, 'http://x').searchParams))
    expect(lists()).toEqual([{ area: VILLAGE, year: '2020', page: '1', pageSize: '50' }])
    expect(w.findAll('[data-testid="household-row"]')).toHaveLength(50)
    expect(w.find('[data-testid="household-total"]').attributes('data-total')).toBe('4321')

    // Sorting is the server's: a header click asks again, ascending then descending.
    await w.find('th[data-sort="size"]').trigger('click')
    await flushPromises()
    await w.find('th[data-sort="size"]').trigger('click')
    await flushPromises()
    expect(lists().slice(1).map((q) => q.sort)).toEqual(['size', '-size'])
    // The next page, then a filter: back to page 1 with the filter in the query.
    await w.find('.btn-next').trigger('click')
    await flushPromises()
    expect(lists().at(-1)).toMatchObject({ page: '2', sort: '-size' })
    expect(w.find('[data-testid="household-row"]').attributes('data-ref')).toBe(item(50).ref)
    useRegistryStore().setFilters({ status: ['poor', 'returned'], gap: ['water'] })
    await flushPromises()
    expect(lists().at(-1)).toMatchObject({ page: '1', status: 'poor,returned', gap: 'water' })
    // Never more than a page in the browser.
    expect(Math.max(...lists().map((q) => Number(q.pageSize)))).toBeLessThanOrEqual(200)
    // A row opens the household's page.
    await w.find('[data-testid="household-row"]').trigger('click')
    expect(useRegistryStore().openRef).toBe(item(0).ref)
  })

  const request = (over: Partial<ChangeRequest> = {}): ChangeRequest => ({
    id: 7, kind: 'household.exit', state: 'pending', target: '6f1c1a57-0c1e-4f7e-9a0b-1f2e3d4c5b6a', areaCode: VILLAGE, villageName: '十八洞村', reason: '收入达标',
    proposedBy: { id: 3, username: 'team.shibadong', role: 'village_team' }, proposedAt: '2026-12-05T00:00:00Z', updatedAt: '2026-12-05T00:00:00Z',
    currentStep: { no: 2, action: 'review', role: 'township_officer', noticeEndsAt: null, openObjections: 0 },
    baseVersion: 1, changes: { year: 2020 }, attachments: [],
    chain: [{ no: 1, action: 'notice', role: 'village_team', noticeDays: 0 }, { no: 2, action: 'review', role: 'township_officer', noticeDays: null }, { no: 3, action: 'approve', role: 'county_officer', noticeDays: null }],
    steps: [{ no: 1, action: 'notice', decision: 'noticed', by: null, at: '2026-12-05T00:00:01Z', comment: null, round: 1 }],
    objections: [], round: 1, appliedAt: null, appliedVersion: null, before: { status: 'poor', year: 2020 },
    may: { approve: true, reject: true, resubmit: false, withdraw: false, object: false, resolve: false },
    ...over,
  })

  it('a request side by side; reject needs a comment, approve sends it with the CSRF token', async () => {
    useSessionStore().set({ username: 'officer.shuanglong', displayName: '双龙镇', role: 'township_officer', scope: '433124110' }, 'csrf-9')
    const calls = stubApi([
      ['/api/change-requests/7/approve', () => ({ status: 200, body: request({ state: 'pending', currentStep: { no: 3, action: 'approve', role: 'county_officer', noticeEndsAt: null, openObjections: 0 } }) })],
      ['/api/change-requests/7', () => ({ status: 200, body: request() })],
    ])
    const w = await mountIt(RequestDetail, { requestId: 7 })
    const row = w.find('[data-testid="request-diff"] tr[data-field="status"]')
    expect(row.find('[data-testid="diff-before"]').text()).toBe('未脱贫')
    expect(row.find('[data-testid="diff-after"]').text()).toBe('已脱贫')
    expect(w.find('[data-testid="request-chain"] li[data-action="notice"]').attributes('data-decision')).toBe('noticed')
    expect(w.find('[data-testid="request-chain"] li[data-action="review"]').attributes('data-decision')).toBe('waiting')
    const button = (id: string) => w.findAllComponents({ name: 'ElButton' }).find((b) => b.attributes('data-testid') === id)!
    await button('review-reject').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid="review-failure"]').text()).toBe('驳回时须填写意见')
    expect(calls.filter((c) => c.method === 'POST')).toEqual([])
    await w.find('textarea').setValue('同意')
    await button('review-approve').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.method === 'POST')).toEqual([{ url: '/api/change-requests/7/approve', method: 'POST', body: { comment: '同意' }, csrf: 'csrf-9' }])
    expect(w.emitted('decided')?.[0]).toEqual([7, 'pending'])
    // Neither resubmit nor withdraw for a reviewer.
    expect(w.find('[data-testid="review-withdraw"]').exists()).toBe(false)
    // English is one switch away: the same rows in English.
    i18n.global.locale.value = 'en'
    await flushPromises()
    const en = w.find('[data-testid="request-diff"] tr[data-field="status"]')
    expect([en.find('td').text(), en.find('[data-testid="diff-before"]').text(), en.find('[data-testid="diff-after"]').text()]).toEqual(['Status', 'Poor', 'Lifted'])
    expect(w.find('[data-testid="request-chain"] li[data-action="review"] strong').text()).toBe('Township review')
  })

  it('the proposer of a rejected request may resubmit it edited, or withdraw it', async () => {
    useSessionStore().set({ username: 'team.shibadong', displayName: '十八洞村', role: 'village_team', scope: VILLAGE }, 'csrf-2')
    const rejected = request({ state: 'rejected', currentStep: null, may: { approve: false, reject: false, resubmit: true, withdraw: true, object: false, resolve: false }, changes: { year: 2020, incomePerCapita: 3000 } })
    const calls = stubApi([
      ['/api/change-requests/7/resubmit', (_u, body) => ({ status: 200, body: request({ changes: body.changes as Record<string, unknown> }) })],
      ['/api/change-requests/7', () => ({ status: 200, body: rejected })],
    ])
    const w = await mountIt(RequestDetail, { requestId: 7 })
    expect(w.find('[data-testid="review-approve"]').exists()).toBe(false)
    expect(w.find('[data-testid="review-withdraw"]').exists()).toBe(true)
    const button = (id: string) => w.findAllComponents({ name: 'ElButton' }).find((b) => b.attributes('data-testid') === id)!
    await button('review-resubmit').trigger('click')
    await flushPromises()
    const income = w.find('[data-testid="resubmit-form"] [data-field="incomePerCapita"] input')
    await income.setValue('4100')
    await income.trigger('change')
    await button('resubmit-send').trigger('click')
    await flushPromises()
    const sent = calls.find((c) => c.url.endsWith('/resubmit'))!
    expect(sent.body).toEqual({ changes: { year: 2020, incomePerCapita: 4100 }, reason: '收入达标' })
    expect(sent.csrf).toBe('csrf-2')
  })

  it('accounts: a role that sees personal data is a four-eyes request without a password; others’ requests are approved, the password shown once', async () => {
    useSessionStore().set({ username: 'admin', displayName: '省管理员', role: 'province_admin', scope: '43' }, 'csrf-a')
    const pending = [
      { id: 1, kind: 'create', state: 'pending', username: 'team.new', displayName: '新队员', role: 'village_team', scope: VILLAGE, department: null, userId: null, requestedBy: 'admin2', requestedAt: '2026-12-05T00:00:00Z', decidedBy: null, decidedAt: null },
      { id: 2, kind: 'create', state: 'pending', username: 'officer.mine', displayName: '我提的', role: 'township_officer', scope: '433124110', department: null, userId: null, requestedBy: 'admin', requestedAt: '2026-12-05T00:00:00Z', decidedBy: null, decidedAt: null },
    ]
    const calls = stubApi([
      ['/api/users', (url, body) => (url === '/api/users' && body.username ? { status: 202, body: { ...pending[0], id: 3, username: body.username } } : { status: 200, body: [] })],
      ['/api/account-requests/1/approve', () => ({ status: 200, body: { request: { ...pending[0], state: 'approved' }, initialPassword: 'Zq8-initial-pass-xyz' } })],
      ['/api/account-requests', () => ({ status: 200, body: pending })],
    ])
    const w = await mountIt(AccountsWorkspace, { params: {} })
    await w.find('[data-testid="accounts-tab-requests"]').trigger('click')
    await flushPromises()
    const rows = w.findAll('[data-testid="account-request-row"]')
    expect(rows.map((r) => r.attributes('data-username'))).toEqual(['team.new', 'officer.mine'])
    // Nobody approves their own request.
    expect(rows[1]!.find('[data-testid="account-request-approve"]').exists()).toBe(false)
    await rows[0]!.find('[data-testid="account-request-approve"]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.url === '/api/account-requests/1/approve')?.csrf).toBe('csrf-a')
    expect(w.find('[data-testid="account-initial-password"]').text()).toContain('Zq8-initial-pass-xyz')

    await w.find('[data-testid="accounts-tab-create"]').trigger('click')
    await flushPromises()
    await w.find('input[data-testid="account-username"]').setValue('team.two')
    await w.find('input[data-testid="account-display-name"]').setValue('十八洞村工作队二')
    w.findComponent({ name: 'ElSelect' }).vm.$emit('update:modelValue', 'village_team')
    await flushPromises()
    await w.find('input[data-testid="account-scope"]').setValue(VILLAGE)
    expect(w.find('[data-testid="account-password"]').exists()).toBe(false)
    expect(w.find('[data-testid="account-four-eyes"]').exists()).toBe(true)
    await w.find('[data-testid="account-form"]').trigger('submit')
    await flushPromises()
    const created = calls.find((c) => c.url === '/api/users' && c.method === 'POST')!
    expect(created.body).toEqual({ username: 'team.two', displayName: '十八洞村工作队二', role: 'village_team', scope: VILLAGE })
    // A request, not an account: the screen shows the requests.
    expect(w.find('[data-testid="account-requests"]').exists()).toBe(true)
  })
})
