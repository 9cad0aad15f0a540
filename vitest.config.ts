import { configDefaults, defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  // Component tests mount the client's single-file components (tests/client/registry).
  plugins: [vue()],
  test: {
    include: ['tests/**/*.test.ts'],
    // Tests that never open a database (domain, client, lint, the generator) run in the embedded pass only;
    // the pass with DATABASE_URL repeats just what depends on the database.
    exclude: process.env.DATABASE_URL
      ? [...configDefaults.exclude, 'tests/domain/**', 'tests/client/**', 'tests/lint/**', 'tests/geodata/generate/**']
      : configDefaults.exclude,
    // Two cores here; each embedded database is a WASM PostgreSQL of its own.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
