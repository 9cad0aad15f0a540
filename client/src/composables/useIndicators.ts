import { computed, ref, shallowRef } from 'vue'
import { api } from '../api/endpoints.js'
import type { Indicator } from '../api/types.js'
import type { LoadState } from './useRequest.js'

// The definitions do not change while the page is open: loaded once, shared by every caller.
const state = ref<LoadState>('idle')
const list = shallowRef<Indicator[]>([])
const error = ref<string | null>(null)

async function load() {
  state.value = 'loading'
  try {
    list.value = await api.indicators()
    state.value = 'done'
  } catch (e) {
    error.value = (e as Error).message
    state.value = 'error'
  }
}

/** Indicator definitions from GET /api/indicators (never a list in the client); a failed load (e.g. before signing in) is retried by the next caller. */
export function useIndicators() {
  if (state.value === 'idle' || state.value === 'error') void load()
  const byCode = computed(() => new Map(list.value.map((d) => [d.code, d])))
  return { state, list, error, byCode }
}
