import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface SessionUser {
  username: string
  displayName: string
  role: string
  scope: string
}

/** Who is signed in (issue 6 sessions); the cookie itself is HttpOnly and never seen here. */
export const useSessionStore = defineStore('session', () => {
  const state = ref<'idle' | 'loading' | 'error' | 'done'>('idle')
  const user = ref<SessionUser | null>(null)
  const csrfToken = ref<string | null>(null)
  function set(u: SessionUser | null, token: string | null) {
    user.value = u
    csrfToken.value = token
    state.value = 'done'
  }
  return { state, user, csrfToken, set }
})
