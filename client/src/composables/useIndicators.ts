import { computed, ref, shallowRef } from 'vue'
import { api } from '../api/endpoints.js'
import type { Indicator } from '../../../domain/schemas/diagnosis.js'
import { problemKey } from '../api/problems.js'
import { useSessionStore } from '../stores/session.js'
import type { LoadState } from './useRequest.js'

// The definitions do not change while a session lasts: loaded once, shared by every caller. Their
// years are those of the user's area, so they are forgotten when the session ends (resetIndicators).
const state = ref<LoadState>('idle')
const list = shallowRef<Indicator[]>([])
/** An i18n key (problems.*). */
const error = ref<string | null>(null)
let generation = 0

async function load() {
  const asked = ++generation
  state.value = 'loading'
  try {
    const defs = await api.indicators()
    if (asked !== generation) return
    list.value = defs
    state.value = 'done'
  } catch (e) {
    if (asked !== generation) return
    error.value = problemKey(e)
    state.value = 'error'
  }
}

/**
 * Indicator definitions from GET /api/indicators (never a list in the client). Asked for only once
 * signed in (with the second factor set up): before that the route answers 401, so the first caller
 * after sign-in loads them (App does). A failed load is retried by the next caller.
 */
export function useIndicators() {
  if ((state.value === 'idle' || state.value === 'error') && useSessionStore().ready) void load()
  const byCode = computed(() => new Map(list.value.map((d) => [d.code, d])))
  return { state, list, error, byCode }
}

/** Forgets the definitions of the session that ended; an answer still on its way is dropped. */
export function resetIndicators(): void {
  generation++
  state.value = 'idle'
  list.value = []
  error.value = null
}
