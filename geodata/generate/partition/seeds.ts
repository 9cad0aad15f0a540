import type { Delaunay } from 'd3-delaunay'
import type { PolyIndex } from './poly-index.js'
import type { Pt } from './rings.js'

/**
 * A region's density samples and its n seeds in local coordinates (x scaled by cos(latitude), centred
 * on the region) for all distance work: which seed owns each sample, under the Voronoi or the power
 * diagram, and Lloyd moves. The seeds start as the first n samples.
 */
export class Seeds {
  readonly n: number
  /** Samples. */
  readonly N: number
  readonly pu: Float64Array
  readonly pv: Float64Array
  readonly su: Float64Array
  readonly sv: Float64Array
  private readonly kx: number
  private readonly x0: number
  private readonly y0: number
  // During the relaxation a sample of a large region only looks at its K nearest seeds (refreshed
  // after the seeds move); the final cells are exact.
  private readonly K: number
  private near = new Int32Array(0)

  constructor(
    private readonly idx: PolyIndex,
    pool: readonly Pt[],
    n: number,
  ) {
    this.n = n
    const kx = (this.kx = idx.kx)
    const x0 = (this.x0 = (idx.minX + idx.maxX) / 2)
    const y0 = (this.y0 = (idx.minY + idx.maxY) / 2)
    const N = (this.N = pool.length)
    const pu = (this.pu = new Float64Array(N))
    const pv = (this.pv = new Float64Array(N))
    pool.forEach((p, k) => {
      pu[k] = (p[0] - x0) * kx
      pv[k] = p[1] - y0
    })
    this.su = new Float64Array(n)
    this.sv = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      this.su[i] = pu[i]!
      this.sv[i] = pv[i]!
    }
    this.K = n > 16 ? 8 : n
  }

  toLonLat(u: number, v: number): Pt {
    return [u / this.kx + this.x0, v + this.y0]
  }

  local(p: Pt): Pt {
    return [(p[0] - this.x0) * this.kx, p[1] - this.y0]
  }

  dist2(i: number, p: Pt): number {
    return (this.su[i]! - p[0]) ** 2 + (this.sv[i]! - p[1]) ** 2
  }

  /** No two seeds at the same place. */
  distinct(): boolean {
    const keys = new Set<string>()
    for (let i = 0; i < this.n; i++) keys.add(`${this.su[i]},${this.sv[i]}`)
    return keys.size === this.n
  }

  /** The seeds as [u0, v0, u1, v1, …] (for d3-delaunay). */
  flat(): Float64Array {
    const { n, su, sv } = this
    const f = new Float64Array(2 * n)
    for (let i = 0; i < n; i++) {
      f[2 * i] = su[i]!
      f[2 * i + 1] = sv[i]!
    }
    return f
  }

  voronoiOwners(delaunay: Delaunay<Pt>): Int32Array {
    const { N, pu, pv } = this
    const owner = new Int32Array(N)
    let hint = 0
    for (let k = 0; k < N; k++) {
      hint = delaunay.find(pu[k]!, pv[k]!, hint)
      owner[k] = hint
    }
    return owner
  }

  refreshNear(): void {
    const { K, n, N, pu, pv, su, sv } = this
    if (K === n) return
    const near = (this.near = new Int32Array(N * K))
    const d = new Float64Array(K)
    for (let k = 0; k < N; k++) {
      let filled = 0
      for (let i = 0; i < n; i++) {
        const di = (pu[k]! - su[i]!) ** 2 + (pv[k]! - sv[i]!) ** 2
        if (filled === K && di >= d[K - 1]!) continue
        let j = filled < K ? filled++ : K - 1
        while (j > 0 && d[j - 1]! > di) {
          d[j] = d[j - 1]!
          near[k * K + j] = near[k * K + j - 1]!
          j--
        }
        d[j] = di
        near[k * K + j] = i
      }
    }
  }

  /** Power-diagram owners among each sample's nearest seeds (all seeds in a small region). */
  nearOwners(w: Float64Array): Int32Array {
    const { K, n, N, near, pu, pv, su, sv } = this
    if (K === n) return this.powerOwners(w)
    const owner = new Int32Array(N)
    for (let k = 0; k < N; k++) {
      let best = 0
      let bestD = Infinity
      for (let c = k * K; c < k * K + K; c++) {
        const i = near[c]!
        const d = (pu[k]! - su[i]!) ** 2 + (pv[k]! - sv[i]!) ** 2 - w[i]!
        if (d < bestD) {
          bestD = d
          best = i
        }
      }
      owner[k] = best
    }
    return owner
  }

  powerOwners(w: Float64Array): Int32Array {
    const { n, N, pu, pv, su, sv } = this
    const owner = new Int32Array(N)
    for (let k = 0; k < N; k++) {
      let best = 0
      let bestD = Infinity
      for (let i = 0; i < n; i++) {
        const d = (pu[k]! - su[i]!) ** 2 + (pv[k]! - sv[i]!) ** 2 - w[i]!
        if (d < bestD) {
          bestD = d
          best = i
        }
      }
      owner[k] = best
    }
    return owner
  }

  /** Lloyd move: each seed to the mean of its samples, or to its sample nearest that mean if outside. */
  moveSeeds(owner: Int32Array): void {
    const { n, N, pu, pv, su, sv } = this
    const mu = new Float64Array(n)
    const mv = new Float64Array(n)
    const cnt = new Int32Array(n)
    for (let k = 0; k < N; k++) {
      const o = owner[k]!
      mu[o] = mu[o]! + pu[k]!
      mv[o] = mv[o]! + pv[k]!
      cnt[o] = cnt[o]! + 1
    }
    for (let i = 0; i < n; i++) {
      if (cnt[i] === 0) continue
      const u = mu[i]! / cnt[i]!
      const v = mv[i]! / cnt[i]!
      const [x, y] = this.toLonLat(u, v)
      if (this.idx.contains(x, y)) {
        su[i] = u
        sv[i] = v
        continue
      }
      let best = -1
      let bestD = Infinity
      for (let k = 0; k < N; k++) {
        if (owner[k] !== i) continue
        const d = (pu[k]! - u) ** 2 + (pv[k]! - v) ** 2
        if (d < bestD) {
          bestD = d
          best = k
        }
      }
      su[i] = pu[best]!
      sv[i] = pv[best]!
    }
  }
}
