import { defineStore } from 'pinia'
import { ref } from 'vue'
import { LAST_YEAR } from '../../../domain/codes.js'
import type { ClassMethod } from '../classify/classify.js'

export const CHOROPLETH_DEFAULTS = { indicator: null as string | null, year: LAST_YEAR, method: 'jenks' as ClassMethod, classes: 5 }

/** The environment-indicator choropleth: which indicator and year, and how values are classed. */
export const useChoroplethStore = defineStore('choropleth', () => {
  const indicator = ref<string | null>(CHOROPLETH_DEFAULTS.indicator)
  const year = ref(CHOROPLETH_DEFAULTS.year)
  const method = ref<ClassMethod>(CHOROPLETH_DEFAULTS.method)
  const classes = ref(CHOROPLETH_DEFAULTS.classes)
  function setIndicator(code: string | null) {
    indicator.value = code
  }
  function reset() {
    indicator.value = CHOROPLETH_DEFAULTS.indicator
    year.value = CHOROPLETH_DEFAULTS.year
    method.value = CHOROPLETH_DEFAULTS.method
    classes.value = CHOROPLETH_DEFAULTS.classes
  }
  return { indicator, year, method, classes, setIndicator, reset }
})
