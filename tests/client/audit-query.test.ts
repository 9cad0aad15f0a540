// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { createI18n } from 'vue-i18n'
import {
  AUDIT_OUTCOMES,
  NO_FILTERS,
  auditFilterProblems,
  auditQuery,
  currentCursor,
  detailLines,
  firstPage,
  localToIso,
  newer,
  older,
} from '../../client/src/audit/audit-query.js'
import { useSessionStore, type SessionUser } from '../../client/src/stores/session.js'
import zh from '../../client/src/i18n/zh-CN.js'
import en from '../../client/src/i18n/en.js'

const get = (messages: object, key: string) => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], messages)

describe('audit-query', () => {
  it('auditQuery: only the filters given, trimmed, with the page cursor and size', () => {
    expect(auditQuery(NO_FILTERS, null)).toBe('limit=50')
    const q = new URLSearchParams(auditQuery({ ...NO_FILTERS, user: ' team.shibadong ', area: '433124', action: 'household.reveal', outcome: 'denied' }, 812, 20))
    expect(Object.fromEntries(q)).toEqual({ user: 'team.shibadong', area: '433124', action: 'household.reveal', outcome: 'denied', before: '812', limit: '20' })
  })

  it('times: a datetime-local value becomes an ISO instant; the range must run forwards', () => {
    const from = localToIso('2024-05-01T08:30')!
    expect(new Date(from).getTime()).toBe(new Date(2024, 4, 1, 8, 30).getTime())
    expect(localToIso('2024-05-01')).toBe(new Date(2024, 4, 1).toISOString())
    expect(localToIso('yesterday')).toBeNull()
    const q = new URLSearchParams(auditQuery({ ...NO_FILTERS, from: '2024-05-01T08:30', to: '2024-05-02T00:00' }, null))
    expect(q.get('from')).toBe(from)
    expect(q.get('to')).toBe(new Date(2024, 4, 2).toISOString())
    expect(auditFilterProblems({ ...NO_FILTERS, from: '2024-05-02T00:00', to: '2024-05-01T00:00' })).toEqual({ to: 'audit.problems.order' })
    expect(auditFilterProblems({ ...NO_FILTERS, from: '2024-13-40T99:99' })).toEqual({ from: 'audit.problems.time' })
  })

  it('auditFilterProblems: what the server would refuse is caught in the form, each with a Chinese and an English text', () => {
    expect(auditFilterProblems(NO_FILTERS)).toEqual({})
    expect(auditFilterProblems({ ...NO_FILTERS, area: '4331' })).toEqual({})
    const bad = auditFilterProblems({ ...NO_FILTERS, user: 'x'.repeat(41), area: '4331x', action: 'DROP TABLE' })
    expect(Object.keys(bad).sort()).toEqual(['action', 'area', 'user'])
    for (const key of [...Object.values(bad), 'audit.problems.time', 'audit.problems.order']) {
      expect(typeof get(zh, key!), `zh ${key}`).toBe('string')
      expect(typeof get(en, key!), `en ${key}`).toBe('string')
    }
  })

  it('paging: cursors remember the pages seen, newest first', () => {
    let p = firstPage()
    expect(currentCursor(p)).toBeNull()
    p = older(p, 950)
    p = older(p, 900)
    expect(currentCursor(p)).toBe(900)
    p = newer(p)
    expect(currentCursor(p)).toBe(950)
    p = newer(newer(p))
    expect(p.cursors).toEqual([null])
  })

  it('detailLines: one line per key, nested values as compact JSON', () => {
    expect(detailLines({ reason: '入户核实', filters: { year: 2020 }, rows: 12 })).toEqual(['reason: 入户核实', 'filters: {"year":2020}', 'rows: 12'])
  })

  it('every outcome, action and role has a label in both languages', () => {
    for (const o of AUDIT_OUTCOMES) expect([get(zh, `audit.outcomes.${o}`), get(en, `audit.outcomes.${o}`)].every((s) => typeof s === 'string')).toBe(true)
    expect(Object.keys(en.auditActions)).toEqual(Object.keys(zh.auditActions))
    // Action names hold dots; the screen asks for them with a bracket path.
    const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zh, en } })
    expect(i18n.global.t("auditActions['household.reveal']")).toBe('查看完整个人信息')
    expect(Object.keys(en.roles)).toEqual(Object.keys(zh.roles))
  })
})

describe('session store: which screen a user gets', () => {
  beforeEach(() => setActivePinia(createPinia()))
  const user = (role: string, can: SessionUser['can'], factor: 'ok' | 'enrol' = 'ok'): SessionUser => ({ username: role, displayName: role, role, scope: '43', factor, can })
  const none = { data: false, households: false, reveal: false, audit: false, users: false }

  it('map roles get the map, auditors the audit log, a role with neither a page that says so', () => {
    const s = useSessionStore()
    expect(s.screen).toBeNull()
    s.set(user('village_team', { ...none, data: true, households: true, reveal: true }), 't')
    expect(s.screen).toBe('map')
    s.set(user('auditor', { ...none, audit: true }), 't')
    expect(s.screen).toBe('audit')
    s.set(user('auditor', { ...none, audit: true }, 'enrol'), 't')
    expect(s.screen).toBeNull()
    s.set(user('someone_new', none), 't')
    expect(s.screen).toBe('none')
    // An older server answers no `can`: the map, as before.
    s.set(user('province_admin', undefined), 't')
    expect(s.screen).toBe('map')
  })
})
