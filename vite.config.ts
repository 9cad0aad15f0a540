import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'

const apiTarget = `http://127.0.0.1:${process.env.API_PORT ?? '8080'}`

const gzipAsync = promisify(gzip)
const brotliAsync = promisify(brotliCompress)
/** Text assets worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|wasm)$/
const MIN_BYTES = 1024

/**
 * Writes `x.gz` and `x.br` beside each built text asset, once at build time at the highest levels, so
 * that the server (@fastify/static `preCompressed`) sends them without compressing per request. A
 * compressed copy that is not smaller is left out, and the server then sends the original.
 */
function precompress(): Plugin {
  let outDir = ''
  return {
    name: 'povmap-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir)
    },
    async closeBundle() {
      const files = (await readdir(outDir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile() && COMPRESSIBLE.test(f.name))
      await Promise.all(
        files.map(async (f) => {
          const path = join(f.parentPath, f.name)
          const raw = await readFile(path)
          if (raw.length < MIN_BYTES) return
          const [gz, br] = await Promise.all([
            gzipAsync(raw, { level: 9 }),
            brotliAsync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
          ])
          if (gz.length < raw.length) await writeFile(`${path}.gz`, gz)
          if (br.length < raw.length) await writeFile(`${path}.br`, br)
        }),
      )
    },
  }
}

export default defineConfig({
  root: 'client',
  plugins: [vue(), precompress()],
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
