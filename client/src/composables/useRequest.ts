import { ref, shallowRef, watch, onScopeDispose, type Ref, type ShallowRef, type WatchSource } from 'vue'
import { problemDetail, problemKey } from '../api/problems.js'

export type LoadState = 'idle' | 'loading' | 'error' | 'done'

export interface Request<T> {
  state: Ref<LoadState>
  data: ShallowRef<T | null>
  /** What went wrong, as an i18n key (problems.*): show t(error), never the server's text. */
  error: Ref<string | null>
  /** The server's own (English) text of the failure, for a tooltip. */
  detail: Ref<string | null>
}

/**
 * Loads `fetcher(key)` whenever the key changes (null = nothing to load); a newer key aborts the
 * older request, so answers never arrive out of order.
 */
export function useRequest<K, T>(key: WatchSource<K | null>, fetcher: (key: K, signal: AbortSignal) => Promise<T>): Request<T> {
  const state = ref<LoadState>('idle')
  const data = shallowRef<T | null>(null)
  const error = ref<string | null>(null)
  const detail = ref<string | null>(null)
  let controller: AbortController | null = null
  watch(
    key,
    async (k) => {
      controller?.abort()
      controller = null
      if (k === null || k === undefined) {
        state.value = 'idle'
        data.value = null
        return
      }
      const c = new AbortController()
      controller = c
      state.value = 'loading'
      error.value = null
      detail.value = null
      try {
        const value = await fetcher(k, c.signal)
        if (c.signal.aborted) return
        data.value = value
        state.value = 'done'
      } catch (e) {
        if (c.signal.aborted) return
        error.value = problemKey(e)
        detail.value = problemDetail(e)
        state.value = 'error'
      }
    },
    { immediate: true },
  )
  onScopeDispose(() => controller?.abort())
  return { state, data, error, detail }
}
