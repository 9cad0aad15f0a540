// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createTestingPinia } from '@pinia/testing'
import { useSelectionStore } from '../../client/src/stores/selection.js'
import { householdQuery, useLayersStore } from '../../client/src/stores/layers.js'
import { useInspectionStore } from '../../client/src/stores/inspection.js'
import { useMapViewStore } from '../../client/src/stores/map-view.js'
import { useChoroplethStore } from '../../client/src/stores/choropleth.js'
import { useUrlSync, type UrlHost } from '../../client/src/composables/useUrlSync.js'
import { CHOROPLETH } from '../../client/src/layers/catalog.js'
import households from '../../tiles/layers/households/layer.js'

describe('stores', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('selection: select and compare, never comparing an area with itself', () => {
    const s = useSelectionStore()
    expect(s.code).toBe('43')
    s.select('433124')
    s.setCompare('433125')
    expect([s.code, s.compareCode]).toEqual(['433124', '433125'])
    s.select('433125')
    expect(s.compareCode).toBeNull()
    s.setCompare('433125')
    expect(s.compareCode).toBeNull()
    expect(() => s.select('4x')).toThrow()
  })

  it('layers: switches keep declaration order; filters keep declared values only', () => {
    const l = useLayersStore()
    l.setLayers([])
    l.setVisible('households', true)
    l.setVisible('schools', true)
    l.setVisible(CHOROPLETH, true)
    expect(l.visible).toEqual(['schools', 'households', CHOROPLETH])
    l.setVisible('schools', false)
    expect(l.isVisible('schools')).toBe(false)
    expect(() => l.setVisible('nope', true)).toThrow()
    l.setHouseholdFilter('status', ['returned', 'bogus', 'poor'])
    expect(l.households.status).toEqual(['poor', 'returned'])
    l.setHouseholdYear(1990)
    expect(l.households.year).toBe((households.filters.year as { min: number }).min)
    l.setProjectFilter('type', ['water', 'road', 'rocket'])
    expect(l.projects.type).toEqual(['road', 'water'])
  })

  it('householdQuery is what the households tile source accepts', () => {
    expect(householdQuery({ year: 2018, status: ['poor', 'returned'], cause: [], gap: ['water'] })).toBe('year=2018&status=poor,returned&gap=water')
    expect(householdQuery({ year: 2020, status: [], cause: [], gap: [] })).toBe('year=2020')
  })

  it('inspection: steps wrap around; presenting opens it; closing ends presenting', () => {
    const i = useInspectionStore()
    i.start(0)
    i.step(-1, 4)
    expect(i.index).toBe(3)
    i.step(2, 4)
    expect(i.index).toBe(1)
    i.present(true)
    expect([i.open, i.presenting]).toEqual([true, true])
    i.close()
    expect([i.open, i.presenting]).toEqual([false, false])
  })
})

/** happy-dom's window, typed by what the sync uses (tests are also checked without the DOM library). */
const win = globalThis as unknown as UrlHost

describe('useUrlSync', () => {
  const Host = defineComponent({
    setup() {
      useUrlSync()
      return () => h('div')
    },
  })

  it('applies the link to the stores on start and writes every change back', async () => {
    vi.useFakeTimers()
    win.history.replaceState(null, '', '/?v=109.5,28.3,12,0,30&sel=433124110226&lyr=households,choropleth&hs=poor&ind=slope_deg&iy=2019&insp=1')
    const pinia = createTestingPinia({ stubActions: false, createSpy: vi.fn })
    mount(Host, { global: { plugins: [pinia] } })
    const view = useMapViewStore()
    expect(view.center).toEqual([109.5, 28.3])
    expect(view.pitch).toBe(30)
    expect(view.fromLink).toBe(true)
    expect(useSelectionStore().code).toBe('433124110226')
    expect(useLayersStore().visible).toEqual(['households', CHOROPLETH])
    expect(useLayersStore().households.status).toEqual(['poor'])
    expect(useChoroplethStore()).toMatchObject({ indicator: 'slope_deg', year: 2019 })
    expect(useInspectionStore()).toMatchObject({ open: true, index: 1, presenting: false })

    useSelectionStore().setCompare('433124110227')
    useLayersStore().setHouseholdFilter('gap', ['water'])
    await nextTick()
    vi.advanceTimersByTime(200)
    const q = new URLSearchParams(win.location.search)
    expect(q.get('cmp')).toBe('433124110227')
    expect(q.get('hg')).toBe('water')
    expect(q.get('sel')).toBe('433124110226')
    expect(win.location.search).toContain('lyr=households,choropleth')
    vi.useRealTimers()
  })
})
