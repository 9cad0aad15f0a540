// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { i18n } from '../../../client/src/i18n/index.js'
import { useSessionStore } from '../../../client/src/stores/session.js'
import ChangeRequestDialog from '../../../client/src/registry/ChangeRequestDialog.vue'
import { HOUSEHOLD_SPECS, householdValues } from '../../../client/src/registry/form-model.js'
import type { HouseholdRecord } from '../../../client/src/registry/registry-api.js'

/** The DOM of happy-dom (this file is also type-checked without the DOM library). */
type Node = { textContent: string | null; querySelector(s: string): Node | null; querySelectorAll(s: string): ArrayLike<Node>; getAttribute(n: string): string | null }
const doc = (globalThis as unknown as { document: Node & { body: Node & { innerHTML: string } } }).document

const REF = '6f1c1a57-0c1e-4f7e-9a0b-1f2e3d4c5b6a'
const record: HouseholdRecord = {
  ref: REF, villageCode: '433124110226', villageName: '十八洞村', year: 2020, status: 'poor', size: 3, version: 4, attribute: 'general', identificationStandard: 'national',
  mainCause: 'illness', otherCauses: [], incomePerCapita: 3600, assurance: { food_clothing: true, education: true, medical: true, housing: true, water: true },
  housing: { safety: 'B', structure: 'brick_wood', areaM2: 80, relocated: false }, water: { source: 'tap', difficulty: false }, roadHardened: true, kmToMarket: 6,
}

describe('an edit form that becomes a change request', () => {
  let pinia: Pinia
  let calls: { url: string; body: Record<string, unknown>; csrf: string | null }[]
  let answers: { status: number; body: unknown }[]
  let wrapper: VueWrapper | null = null

  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    useSessionStore().set({ username: 'team.shibadong', displayName: '十八洞村工作队', role: 'village_team', scope: '433124110226' }, 'csrf-1')
    i18n.global.locale.value = 'zh-CN'
    calls = []
    answers = []
    vi.stubGlobal('fetch', async (url: string, init: { body?: string; headers?: Record<string, string> }) => {
      calls.push({ url, body: init.body ? (JSON.parse(init.body) as Record<string, unknown>) : {}, csrf: init.headers?.['x-csrf-token'] ?? null })
      const a = answers.shift() ?? { status: 500, body: { error: 'x', message: 'no answer' } }
      return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } })
    })
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = null
    vi.unstubAllGlobals()
    doc.body.innerHTML = ''
  })

  async function open() {
    wrapper = mount(ChangeRequestDialog, {
      props: { kind: 'household.update', title: '修改', target: REF, baseVersion: 4, specs: HOUSEHOLD_SPECS, initial: householdValues(record), open: true },
      global: { plugins: [pinia, i18n] },
      attachTo: doc.body as never,
    })
    await flushPromises()
    return wrapper
  }
  /** Types into the number input of a field, as a user does. */
  async function type(field: string, value: string) {
    const target = wrapper!.findAllComponents({ name: 'ElInputNumber' }).find((c) => (c.element as unknown as { closest(s: string): unknown }).closest(`[data-field="${field}"]`))!
    const el = target.find('input')
    await el.setValue(value)
    await el.trigger('change')
    await flushPromises()
  }
  const form = () => doc.querySelector('[data-testid="cr-form-household.update"]')!
  const messageOf = (field: string) => form().querySelector(`[data-field="${field}"] [data-testid="field-message"]`)?.textContent ?? null
  async function submit() {
    const button = wrapper!.findAllComponents({ name: 'ElButton' }).find((b) => b.attributes('data-testid') === 'cr-submit')!
    await button.trigger('click')
    await flushPromises()
  }
  const setReason = async (text: string) => {
    // The reason is the form's last text area (the household fields have none).
    const area = wrapper!.findAllComponents({ name: 'ElInput' }).filter((c) => c.props('type') === 'textarea').at(-1)!.find('textarea')
    await area.setValue(text)
    await flushPromises()
  }

  it('shows the shared validation’s messages per field and sends nothing while they stand', async () => {
    await open()
    await type('incomePerCapita', '-5')
    expect(messageOf('incomePerCapita')).toBe('人均纯收入应在 0 至 1000000 之间')
    await submit()
    expect(calls).toEqual([])
    expect(doc.querySelector('[data-testid="cr-reason-message"]')?.textContent).toBe('变更理由应为 1 至 500 个字')
    expect(doc.querySelector('[data-testid="cr-failure"]')?.textContent).toBe('请先改正标红的内容')
    // The same messages in English.
    i18n.global.locale.value = 'en'
    await flushPromises()
    expect(messageOf('incomePerCapita')).toBe('Net income per person must be between 0 and 1000000')
  })

  it('sends only the changed field with the base version and CSRF token; a 400 shows the server’s field message', async () => {
    await open()
    await type('incomePerCapita', '4200')
    await setReason('入户核实收入')
    answers.push({ status: 400, body: { error: 'Bad Request', message: 'invalid', fields: [{ field: 'changes.incomePerCapita', message: { zh: '人均纯收入与台账不符', en: 'Income differs from the ledger' } }] } })
    await submit()
    expect(calls).toHaveLength(1)
    expect(calls[0]).toEqual({ url: '/api/change-requests', csrf: 'csrf-1', body: { kind: 'household.update', target: REF, baseVersion: 4, changes: { incomePerCapita: 4200 }, reason: '入户核实收入' } })
    expect(messageOf('incomePerCapita')).toBe('人均纯收入与台账不符')
  })

  it('a 409 shows the current values and the change is redone on the current version', async () => {
    const w = await open()
    await type('incomePerCapita', '4200')
    await setReason('入户核实收入')
    answers.push({ status: 409, body: { error: 'Conflict', message: 'stale', current: { ...record, version: 6, incomePerCapita: 3900 } } })
    await submit()
    const conflict = doc.querySelector('[data-testid="cr-conflict"]')!
    expect(conflict.getAttribute('data-version')).toBe('6')
    expect(conflict.querySelector('[data-field="incomePerCapita"] .current')?.textContent).toBe('3900')
    const rebase = w.findAllComponents({ name: 'ElButton' }).find((b) => b.attributes('data-testid') === 'cr-rebase')!
    await rebase.trigger('click')
    await flushPromises()
    expect(doc.querySelector('[data-testid="cr-conflict"]')).toBeNull()
    answers.push({ status: 201, body: { id: 77, state: 'pending' } })
    await submit()
    expect(calls).toHaveLength(2)
    expect(calls[1]!.body).toMatchObject({ baseVersion: 6, changes: { incomePerCapita: 4200 } })
    expect(w.emitted('sent')?.[0]).toEqual([{ id: 77, state: 'pending' }])
  })
})
