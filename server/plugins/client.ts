import { existsSync } from 'node:fs'
import { join, sep } from 'node:path'
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'

export interface ClientPluginOptions {
  dir: string
}

/**
 * Serves the built Vue app. Unknown GET paths outside /api and /tiles answer index.html so that a
 * deep link (the URL holds the map view) reopens the app; API paths keep their JSON 404.
 */
export default fp<ClientPluginOptions>(
  async (app, opts) => {
    const index = join(opts.dir, 'index.html')
    const built = existsSync(index)
    const assets = join(opts.dir, 'assets') + sep
    if (built) {
      // Vite writes .br and .gz copies beside each text asset (vite.config.ts): sent as they are to a
      // browser that accepts them, with Vary so that caches keep the encodings apart. Names under
      // assets/ carry a content hash: a browser keeps those and never asks again.
      await app.register(fastifyStatic, {
        root: opts.dir,
        prefix: '/',
        wildcard: false,
        index: ['index.html'],
        preCompressed: true,
        cacheControl: false,
        setHeaders: (res, path) => {
          res.setHeader('vary', 'Accept-Encoding')
          res.setHeader('cache-control', path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'public, max-age=3600')
        },
      })
    } else {
      app.log.warn(`client not built (${index} missing): run npm run build:client`)
    }
    app.setNotFoundHandler((req, reply) => {
      const path = req.url.split('?')[0] ?? '/'
      const isApi = /^\/(api|tiles|styles)(\/|$)/.test(path)
      if (built && req.method === 'GET' && !isApi && !path.includes('.')) {
        return reply.header('cache-control', 'no-cache').sendFile('index.html')
      }
      return reply.code(404).send({ error: 'Not Found', message: `${req.method} ${path} is not a povmap route` })
    })
  },
  { name: 'client', fastify: '5.x' },
)
