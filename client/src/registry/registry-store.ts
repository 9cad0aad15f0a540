import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { useSessionStore } from '../stores/session.js'
import { useSelectionStore } from '../stores/selection.js'
import { useLayersStore } from '../stores/layers.js'
import { NO_FILTERS, householdListQuery, type HouseholdFilters, type SortKey } from './household-query.js'

/**
 * The registry screen's state: the household list's filters, sort and page (for the area the map has
 * selected), the household open on its page, and the map-click placement of a new household or a move.
 * Nothing of it outlives the session (reset when the user changes).
 */
export const useRegistryStore = defineStore('registry', () => {
  const selection = useSelectionStore()
  const layers = useLayersStore()
  const filters = ref<HouseholdFilters>({ ...NO_FILTERS, status: [], cause: [], gap: [] })
  const sort = ref<SortKey | null>(null)
  const order = ref<'asc' | 'desc'>('asc')
  const page = ref(1)
  const pageSize = ref(50)
  /** The household shown on its page (a ref), or null for the list. */
  const openRef = ref<string | null>(null)
  /**
   * Waiting for a click on the map: where a new household goes, or where one moves to. `picked` is the
   * clicked [lon, lat] until the form takes it.
   */
  const placing = ref<null | 'create' | 'move'>(null)
  const picked = ref<[number, number] | null>(null)
  /** Bumped after a request was sent or decided: the list and page ask again. */
  const revision = ref(0)

  const query = computed(() =>
    householdListQuery({ area: selection.code, year: layers.households.year, filters: filters.value, sort: sort.value, order: order.value, page: page.value, pageSize: pageSize.value }),
  )

  function setFilters(f: Partial<HouseholdFilters>) {
    filters.value = { ...filters.value, ...f }
    page.value = 1
  }
  function setSort(key: SortKey | null, o: 'asc' | 'desc' = 'asc') {
    sort.value = key
    order.value = o
    page.value = 1
  }
  function setPage(p: number, size?: number) {
    if (size !== undefined && size !== pageSize.value) {
      pageSize.value = size
      page.value = 1
      return
    }
    page.value = Math.max(1, Math.floor(p))
  }
  function open(ref_: string | null) {
    openRef.value = ref_
  }
  function startPlacing(what: 'create' | 'move') {
    placing.value = what
    picked.value = null
  }
  function pick(lngLat: [number, number]) {
    picked.value = [Number(lngLat[0].toFixed(6)), Number(lngLat[1].toFixed(6))]
    placing.value = null
  }
  function stopPlacing() {
    placing.value = null
  }
  function changed() {
    revision.value++
  }
  function reset() {
    filters.value = { ...NO_FILTERS, status: [], cause: [], gap: [] }
    sort.value = null
    order.value = 'asc'
    page.value = 1
    openRef.value = null
    placing.value = null
    picked.value = null
  }
  // Another area: the list starts again at its first page.
  watch(
    () => selection.code,
    () => (page.value = 1),
  )
  watch(() => useSessionStore().user?.username, reset)
  return { filters, sort, order, page, pageSize, openRef, placing, picked, revision, query, setFilters, setSort, setPage, open, startPlacing, pick, stopPlacing, changed, reset }
})
