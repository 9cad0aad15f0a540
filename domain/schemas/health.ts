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
})
export type Health = Static<typeof Health>
