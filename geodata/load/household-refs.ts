import { createHmac, randomBytes } from 'node:crypto'
import type { LoadQueryable } from './load-target.js'

/**
 * The opaque ref of a loaded household (the id every household URL, audit row and photo link names): a
 * keyed hash of its registry id, so that reloading the same registry (npm run load) gives every household
 * the ref it had. HMAC-SHA-256 under a key of this database: without the key, a ref says nothing about the
 * id (itself a keyed permutation, geodata/generate/household-ids.ts) and cannot be computed from it.
 * Never derived from a person's ID number, which a hash would not hide (a few million candidates per area).
 * Shaped as a UUID of version 8 (application-defined, RFC 9562); households added later by the
 * application keep the column's random default (version 4).
 */
export function householdRef(key: Buffer, id: number | bigint | string): string {
  const h = createHmac('sha256', key).update(`povmap household ${String(id)}`).digest()
  h[6] = (h[6]! & 0x0f) | 0x80
  h[8] = (h[8]! & 0x3f) | 0x80
  const x = h.subarray(0, 16).toString('hex')
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`
}

const KEY_NAME = 'household_ref_key'

/**
 * The key of householdRef, made on the first load and kept in app_secret (the owner's table: the request
 * roles cannot read it). Losing it (a new database) gives new refs at the next load, as before.
 */
export async function householdRefKey(tx: LoadQueryable): Promise<Buffer> {
  await tx.query('INSERT INTO app_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [KEY_NAME, randomBytes(32).toString('base64')])
  const { rows } = await tx.query<{ value: string }>('SELECT value FROM app_secret WHERE name = $1', [KEY_NAME])
  const key = Buffer.from(rows[0]!.value, 'base64')
  if (key.length !== 32) throw new Error(`app_secret ${KEY_NAME} is not 32 bytes of base64`)
  return key
}
