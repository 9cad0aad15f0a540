import { computed, inject, provide, watch, type ComputedRef, type InjectionKey, type Ref, type ShallowRef } from 'vue'
import { api } from '../api/endpoints.js'
import type { ChildrenIndicator, Indicator } from '../../../domain/schemas/diagnosis.js'
import { childLevelOf, comparisonParent } from '../areas/codes.js'
import { classify, type Classification } from '../classify/classify.js'
import { NO_DATA_COLOR, rampFor } from '../classify/ramps.js'
import { CHOROPLETH } from '../layers/catalog.js'
import { useChoroplethStore } from '../stores/choropleth.js'
import { useLayersStore } from '../stores/layers.js'
import { useSelectionStore } from '../stores/selection.js'
import { useSessionStore } from '../stores/session.js'
import { useIndicators } from './useIndicators.js'
import { useRequest, type LoadState } from './useRequest.js'
import { mpiChildrenValues, mpiIndicator } from '../identification/mpi-source.js'

export interface ChoroplethData {
  state: Ref<LoadState>
  /** An i18n key (problems.*), and the server's English as detail. */
  error: Ref<string | null>
  detail: Ref<string | null>
  /** Whose children are coloured: the selection, or its parent for a village. */
  parent: ComputedRef<string>
  indicator: ComputedRef<Indicator | null>
  data: ShallowRef<ChildrenIndicator | null>
  classification: ComputedRef<Classification | null>
  colors: ComputedRef<string[]>
  colorOf(value: number | null): string
}

const KEY: InjectionKey<ChoroplethData> = Symbol('povmap-choropleth')

/**
 * The choropleth's values (GET /api/areas/{parent}/children/indicator) and their classes, computed
 * once and shared by the map layer, the legend and the inspection view.
 */
export function provideChoroplethData(): ChoroplethData {
  const store = useChoroplethStore()
  const layers = useLayersStore()
  const selection = useSelectionStore()
  const session = useSessionStore()
  const { list } = useIndicators()

  // Until the user picks one (or the link names one), the first indicator holding values that year.
  watch(
    [list, () => store.indicator, () => store.year],
    ([defs, code, year]) => {
      if (defs.length === 0 || (code && defs.some((d) => d.code === code))) return
      store.setIndicator((defs.find((d) => d.years.includes(year)) ?? defs[0]!).code)
    },
    { immediate: true },
  )

  const parent = computed(() => comparisonParent(selection.code))
  // The AF measure (set from the identification screen) takes the indicator's place until another indicator is picked.
  watch(
    () => store.indicator,
    () => store.setMpi(null),
  )
  const indicator = computed(() => (store.mpi ? mpiIndicator(store.mpi, null) : (list.value.find((d) => d.code === store.indicator) ?? null)))
  // A parent above the user's area (a village team's township) has children the user may not see: nothing to colour.
  const visibleParent = computed(() => parent.value.startsWith(session.user?.scope ?? ''))
  const key = computed(() =>
    layers.isVisible(CHOROPLETH) && indicator.value && childLevelOf(parent.value) && visibleParent.value
      ? { parent: parent.value, indicator: indicator.value.code, year: store.year, mpi: store.mpi }
      : null,
  )
  const req = useRequest(key, (k, signal) => (k.mpi ? mpiChildrenValues(k.parent, k.year, k.mpi, signal) : api.childrenIndicator(k.parent, k.indicator, k.year, signal)))
  const classification = computed(() => (req.data.value ? classify(req.data.value.values.map((v) => v.value), store.method, store.classes) : null))
  const colors = computed(() => rampFor(classification.value?.counts.length ?? store.classes, indicator.value?.direction ?? 'lower_better'))
  const colorOf = (value: number | null) => {
    const k = classification.value?.classOf(value) ?? -1
    return k < 0 ? NO_DATA_COLOR : (colors.value[k] ?? NO_DATA_COLOR)
  }
  const data: ChoroplethData = { ...req, parent, indicator, classification, colors, colorOf }
  provide(KEY, data)
  return data
}

export function useChoroplethData(): ChoroplethData {
  const d = inject(KEY)
  if (!d) throw new Error('useChoroplethData() outside App')
  return d
}
