import { LRUCache } from 'lru-cache'

export interface FilterBudgetOptions {
  /** Distinct filter combinations one caller may use within the window (default 60). */
  max?: number
  /** The window, ms (default 5 minutes): a combination counts until it has gone unused this long. */
  windowMs?: number
}

/**
 * How many distinct tile filter combinations each caller has used lately. Every combination is its
 * own set of cache entries and renderings, so without a bound one caller could walk through the
 * thousands of combinations the whitelist allows and push everyone's tiles out of the cache. A
 * caller may use `max` distinct combinations within `windowMs`; a combination in use stays allowed
 * (each use renews it), a new one past the bound is refused until one of the others has gone unused
 * for the window. Synchronous and allocation-free for a combination in use: it is asked on every tile.
 */
export class FilterBudget {
  readonly max: number
  readonly windowMs: number
  /** Caller → combination → when it was last used (ms). The least recently seen callers are dropped first. */
  private readonly callers: LRUCache<string, Map<string, number>>

  constructor(opts: FilterBudgetOptions = {}, private readonly now: () => number = Date.now) {
    this.max = opts.max ?? 60
    this.windowMs = opts.windowMs ?? 5 * 60_000
    // A caller unseen for the window has nothing left to count.
    this.callers = new LRUCache({ max: 10_000, ttl: this.windowMs, updateAgeOnGet: true, perf: { now } })
  }

  /**
   * Records a use of `combination` by `caller` and says whether it is allowed: true when the caller has
   * used it within the window, or has used fewer than `max` others; otherwise false, and nothing is
   * recorded.
   */
  admit(caller: string, combination: string): boolean {
    const now = this.now()
    let used = this.callers.get(caller)
    if (!used) {
      used = new Map()
      this.callers.set(caller, used)
    }
    const last = used.get(combination)
    if (last !== undefined && now - last < this.windowMs) {
      used.set(combination, now)
      return true
    }
    if (used.size >= this.max) {
      for (const [c, at] of used) if (now - at >= this.windowMs) used.delete(c)
      if (used.size >= this.max) return false
    }
    used.set(combination, now)
    return true
  }

  /** Seconds until the caller's least recently used combination leaves the window (at least 1). */
  retryAfterS(caller: string): number {
    const used = this.callers.get(caller)
    if (!used || used.size === 0) return 1
    const oldest = Math.min(...used.values())
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000))
  }
}
