import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  // Component tests mount the client's single-file components (tests/client/registry).
  plugins: [vue()],
  test: {
    include: ['tests/**/*.test.ts'],
    // Two cores here; each embedded database is a WASM PostgreSQL of its own.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
