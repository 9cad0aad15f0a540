import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { useSessionStore } from '../stores/session.js'

/** The review screen's queue (waiting for me, or mine), its state filter and page, and the request open beside it. */
export const useReviewStore = defineStore('review', () => {
  const queue = ref<'waiting' | 'mine'>('waiting')
  const state = ref<string | null>(null)
  const page = ref(1)
  const pageSize = ref(50)
  const selected = ref<number | null>(null)
  /** Bumped after a decision: the queue and the open request ask again. */
  const revision = ref(0)
  const query = computed(() => {
    const q = new URLSearchParams({ queue: queue.value })
    if (state.value) q.set('state', state.value)
    q.set('page', String(page.value))
    q.set('pageSize', String(pageSize.value))
    return q.toString()
  })
  function setQueue(q: 'waiting' | 'mine') {
    queue.value = q
    state.value = null
    page.value = 1
  }
  function setState(s: string | null) {
    state.value = s
    page.value = 1
  }
  function setPage(p: number) {
    page.value = Math.max(1, Math.floor(p))
  }
  function select(id: number | null) {
    selected.value = id !== null && Number.isInteger(id) && id > 0 ? id : null
  }
  function changed() {
    revision.value++
  }
  function reset() {
    queue.value = 'waiting'
    state.value = null
    page.value = 1
    selected.value = null
  }
  watch(() => useSessionStore().user?.username, reset)
  return { queue, state, page, pageSize, selected, revision, query, setQueue, setState, setPage, select, changed, reset }
})
