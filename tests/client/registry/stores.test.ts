import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { useSessionStore } from '../../../client/src/stores/session.js'
import { useSelectionStore } from '../../../client/src/stores/selection.js'
import { useLayersStore } from '../../../client/src/stores/layers.js'
import { useRegistryStore } from '../../../client/src/registry/registry-store.js'
import { useReviewStore } from '../../../client/src/registry/review-store.js'
import { clampPage, householdListQuery, pageCount } from '../../../client/src/registry/household-query.js'

describe('registry stores', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    useSessionStore().set({ username: 'team.shibadong', displayName: '十八洞村', role: 'village_team', scope: '433124110226' }, 'c')
  })

  it('the list query follows the selected area and the map’s year; filters and another area start again at page 1', async () => {
    const s = useRegistryStore()
    useSelectionStore().select('433124110226')
    useLayersStore().setHouseholdYear(2019)
    s.setPage(4)
    expect(Object.fromEntries(new URLSearchParams(s.query))).toEqual({ area: '433124110226', year: '2019', page: '4', pageSize: '50' })
    s.setFilters({ cause: ['illness'], q: '  十八洞  ' })
    expect(s.page).toBe(1)
    expect(new URLSearchParams(s.query).get('q')).toBe('十八洞')
    s.setPage(3)
    useSelectionStore().select('433124110227')
    await nextTick()
    expect(s.page).toBe(1)
    s.setPage(2, 100)
    expect([s.page, s.pageSize]).toEqual([1, 100])
    s.setSort('income', 'desc')
    expect(new URLSearchParams(s.query).get('sort')).toBe('-income')
  })

  it('a map click gives the place (rounded to 6 decimals) and ends the placing', () => {
    const s = useRegistryStore()
    s.startPlacing('create')
    expect([s.placing, s.picked]).toEqual(['create', null])
    s.pick([109.512345678, 28.3098765432])
    expect([s.placing, s.picked]).toEqual([null, [109.512346, 28.309877]])
  })

  it('nothing of a session stays after it ends', async () => {
    const s = useRegistryStore()
    const r = useReviewStore()
    s.setFilters({ status: ['poor'] })
    s.open('6f1c1a57-0c1e-4f7e-9a0b-1f2e3d4c5b6a')
    r.setQueue('mine')
    r.select(12)
    useSessionStore().set(null, null)
    await nextTick()
    expect([s.filters.status, s.openRef]).toEqual([[], null])
    expect([r.queue, r.selected]).toEqual(['waiting', null])
  })

  it('pages: at least one, and a page kept inside the range', () => {
    expect(pageCount(0, 50)).toBe(1)
    expect(pageCount(4321, 50)).toBe(87)
    expect(clampPage(90, 4321, 50)).toBe(87)
    expect(householdListQuery({ area: '43', year: 2020, filters: { status: ['poor', 'returned'], cause: [], gap: ['water'], q: '' }, sort: null, order: 'asc', page: 1, pageSize: 20 })).toBe(
      'area=43&year=2020&status=poor%2Creturned&gap=water&page=1&pageSize=20',
    )
  })
})
