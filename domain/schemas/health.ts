import { Type, type Static } from 'typebox'
import { Nullable, OneOf } from './common.js'

export const Health = Type.Object({
  status: OneOf(['ok', 'unavailable']),
  db: Type.Object({
    kind: OneOf(['embedded', 'server']),
    postgis: Nullable(Type.String(), { description: 'PostGIS library version, null when unreachable' }),
  }),
  migrations: Type.Object({
    applied: Type.Integer({ description: 'number of migrations applied' }),
    latest: Nullable(Type.String()),
  }),
  accessibility: Type.Optional(
    Type.Object(
      {
        state: OneOf(['computing', 'none', 'stale', 'fresh'], { description: 'computing: under way in the background; none: never computed; stale: roads, facilities, divisions or households changed since' }),
        since: Type.Optional(Nullable(Type.String({ description: 'when the computation under way started' }))),
        step: Type.Optional(OneOf(['network', 'households', 'write'])),
        done: Type.Optional(Type.Integer()),
        total: Type.Optional(Type.Integer()),
        computedAt: Nullable(Type.String()),
        households: Nullable(Type.Integer()),
        elapsedMs: Nullable(Type.Integer()),
        lastFailedAt: Nullable(Type.String({ description: 'when the last computation failed (the server log says why); null after one succeeds' })),
      },
      { description: 'travel times of households to facilities (siting, accessibility indicators), computed in the background' },
    ),
  ),
})
export type Health = Static<typeof Health>
