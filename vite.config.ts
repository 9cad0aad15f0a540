import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const apiTarget = `http://127.0.0.1:${process.env.API_PORT ?? '8080'}`

export default defineConfig({
  root: 'client',
  plugins: [vue()],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2048,
  },
  server: {
    port: 5173,
    strictPort: true,
    // The dev server hot-reloads the client and hands data routes to the Fastify server.
    proxy: { '/api': apiTarget, '/tiles': apiTarget, '/styles': apiTarget },
  },
})
