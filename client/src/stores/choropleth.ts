import { defineStore } from 'pinia'
import { ref } from 'vue'
import { LAST_YEAR } from '../../../domain/codes.js'
import type { ClassMethod } from '../classify/classify.js'
import type { MpiChoropleth } from '../identification/mpi-source.js'

export const CHOROPLETH_DEFAULTS = { indicator: null as string | null, year: LAST_YEAR, method: 'jenks' as ClassMethod, classes: 5 }

/** The environment-indicator choropleth: which indicator and year, and how values are classed. */
export const useChoroplethStore = defineStore('choropleth', () => {
  const indicator = ref<string | null>(CHOROPLETH_DEFAULTS.indicator)
  const year = ref(CHOROPLETH_DEFAULTS.year)
  const method = ref<ClassMethod>(CHOROPLETH_DEFAULTS.method)
  const classes = ref(CHOROPLETH_DEFAULTS.classes)
  /** When set, the choropleth shows the AF measure (identification screen) instead of the indicator. */
  const mpi = ref<MpiChoropleth | null>(null)
  function setMpi(s: MpiChoropleth | null) {
    mpi.value = s
  }
  function setIndicator(code: string | null) {
    indicator.value = code
  }
  function reset() {
    indicator.value = CHOROPLETH_DEFAULTS.indicator
    year.value = CHOROPLETH_DEFAULTS.year
    method.value = CHOROPLETH_DEFAULTS.method
    classes.value = CHOROPLETH_DEFAULTS.classes
    mpi.value = null
  }
  return { indicator, year, method, classes, mpi, setMpi, setIndicator, reset }
})
