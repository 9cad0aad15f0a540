/**
 * Household ids that leak neither the registry's size nor its order. The internal id is the feature id
 * of household tiles, so a sequential one would let anyone holding a few tiles count the registry and
 * read its order (by village, by registration). Here the n-th generated household (n = 0, 1, 2 …) gets
 *
 *   id = 2^48 + P_k(n)
 *
 * where P_k is a permutation of [0, 2^48) keyed from the seed: a six-round balanced Feistel network
 * over two 24-bit halves. A Feistel network is a bijection whatever its round function, so ids never
 * collide; neighbouring n land far apart; the same seed gives the same ids on every machine. Ids lie
 * in [2^48, 2^49), below 2^53 (exact in JavaScript and in MVT feature ids), and clear of the random
 * ids in [1, 2^48) that the database gives households added later (migration 0005).
 *
 * This hides order and size from tile readers; it is not encryption of anything secret (the demo's
 * seed is public, so its ids can be recomputed by anyone who has the generator).
 */
import type { Rng } from './rng.js'

const HALF = 2 ** 24
const MASK = HALF - 1
export const HOUSEHOLD_ID_BASE = 2 ** 48
const ROUNDS = 6

/** The round function: a 32-bit integer mix of one half and the round key, cut to 24 bits. */
function mix(x: number, key: number): number {
  let h = Math.imul(x ^ key, 0x9e3779b1)
  h ^= h >>> 15
  h = Math.imul(h, 0x85ebca77)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae3d)
  h ^= h >>> 16
  return h & MASK
}

/** P_k(n) for n in [0, 2^48). */
export function permute48(n: number, keys: readonly number[]): number {
  if (!Number.isInteger(n) || n < 0 || n >= HOUSEHOLD_ID_BASE) throw new RangeError(`permute48: ${n} is outside [0, 2^48)`)
  let left = Math.floor(n / HALF)
  let right = n % HALF
  for (const k of keys) {
    const next = left ^ mix(right, k)
    left = right
    right = next
  }
  return left * HALF + right
}

/** The inverse permutation (tests: the mapping is a bijection). */
export function unpermute48(p: number, keys: readonly number[]): number {
  let left = Math.floor(p / HALF)
  let right = p % HALF
  for (let i = keys.length - 1; i >= 0; i--) {
    const prev = right ^ mix(left, keys[i]!)
    right = left
    left = prev
  }
  return left * HALF + right
}

/** Hands out the ids of one generation run, in order. */
export class HouseholdIds {
  private readonly keys: number[]
  private n = 0

  /** `rng`: a stream of its own (e.g. `rng.fork('household-ids')`), so that the keys shift no other numbers. */
  constructor(rng: Rng) {
    this.keys = Array.from({ length: ROUNDS }, () => rng.int(0, 0xffffffff) | 0)
  }

  /** The id of the n-th household (0-based), without advancing. */
  idOf(n: number): number {
    return HOUSEHOLD_ID_BASE + permute48(n, this.keys)
  }

  next(): number {
    return this.idOf(this.n++)
  }
}
