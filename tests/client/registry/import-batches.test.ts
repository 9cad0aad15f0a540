// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { i18n } from '../../../client/src/i18n/index.js'
import { useSessionStore } from '../../../client/src/stores/session.js'
import ImportBatches from '../../../client/src/registry/ImportBatches.vue'

type Node = { innerHTML: string }
const body = (globalThis as unknown as { document: { body: Node } }).document.body

const BATCH = { id: 7, kind: 'households', mode: 'requests', areaCode: '433124', createdBy: 'county.huayuan', createdAt: '2026-12-05T01:00:00Z', rows: 3, creates: 0, changes: 3, unchanged: 0, states: { pending: 3 }, waiting: 2 }
const row = (id: number, mayDecide: boolean) => ({
  id, kind: 'household.update', state: 'pending', target: null, areaCode: '433124110226', villageName: '十八洞村',
  currentStep: { no: 1, action: 'review', role: 'township_officer' }, mayDecide, diffs: [{ field: 'mainCause', before: 'illness', after: 'capital' }],
})

describe('ImportBatches: imported requests grouped by batch', () => {
  let pinia: Pinia
  let wrapper: VueWrapper | null = null
  let calls: { url: string; method: string; body: Record<string, unknown>; csrf: string | null }[]
  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    i18n.global.locale.value = 'zh-CN'
    useSessionStore().set({ username: 'officer.shuanglong', displayName: '双龙镇', role: 'township_officer', scope: '433124110' }, 'csrf-1')
    calls = []
    vi.stubGlobal('fetch', async (url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) => {
      calls.push({ url, method: init.method ?? 'GET', body: init.body ? JSON.parse(init.body) : {}, csrf: init.headers?.['x-csrf-token'] ?? null })
      const answer = url === '/api/imports/batches' ? { items: [BATCH] }
        : url.startsWith('/api/imports/batches/7?') ? { batch: BATCH, total: 3, page: 1, pageSize: 500, requests: [row(11, true), row(12, true), row(13, false)] }
        : { batch: 7, decision: 'approve', decided: 1, applied: 1, refused: 0, results: [{ id: 11, status: 200, state: 'applied', message: null }] }
      return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } })
    })
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = null
    vi.unstubAllGlobals()
    body.innerHTML = ''
  })

  it('ImportBatches lists batches, shows a batch’s rows with diffs, approves all or the rows ticked, asks a note to reject', async () => {
    wrapper = mount(ImportBatches, { global: { plugins: [pinia, i18n] }, attachTo: body as never })
    await flushPromises()
    const w = wrapper
    expect(w.findAll('[data-testid="batch-item"]')).toHaveLength(1)
    expect(w.text()).toContain('第 7 批')
    await w.find('[data-testid="batch-item"]').trigger('click')
    await flushPromises()
    const rows = w.findAll('[data-testid="batch-row"]')
    expect(rows).toHaveLength(3)
    expect(rows[0]!.text()).toContain('mainCause: illness → capital')
    // Only the rows at the reviewer's step can be ticked.
    expect(rows[2]!.find('input').attributes('disabled')).toBeDefined()
    expect(w.find('[data-testid="batch-approve-all"]').text()).toContain('2')

    await w.find('[data-testid="batch-approve-all"]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.method === 'POST').map((c) => [c.url, c.body, c.csrf])).toEqual([['/api/imports/batches/7/decide', { decision: 'approve' }, 'csrf-1']])

    await w.findAll('[data-testid="batch-row"]')[1]!.find('input').setValue(true)
    await w.find('[data-testid="batch-reject-chosen"]').trigger('click')
    await flushPromises()
    // No note: nothing sent.
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1)
    await w.find('input[data-testid="batch-note"], [data-testid="batch-note"] input').setValue('原因不实')
    await w.find('[data-testid="batch-reject-chosen"]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.method === 'POST').at(-1)!.body).toEqual({ decision: 'reject', note: '原因不实', requestIds: [12] })
  })
})
