/**
 * How many photos, and how many bytes of them, one user may send in an hour. Checked before a body is
 * read, against the length the request declares; every upload whose body is read counts, refused ones
 * included (reading it is the cost). Kept in this process's memory, like the rate limits: a restart
 * forgets it, and several processes each allow the quota.
 */

export interface UploadQuotaOptions {
  /** Photos per user per hour (default 120). */
  uploadsPerHour?: number
  /** Bytes per user per hour, as sent (default 500 MB). */
  bytesPerHour?: number
}

export const DEFAULT_UPLOADS_PER_HOUR = 120
export const DEFAULT_UPLOAD_BYTES_PER_HOUR = 500_000_000

const HOUR_MS = 3_600_000

export type QuotaAnswer = { ok: true } | { ok: false; retryAfterS: number; message: string }

const mb = (bytes: number) => `${+(bytes / 1e6).toFixed(1)} MB`
const minutes = (s: number) => (s < 90 ? `${s} s` : `${Math.ceil(s / 60)} minutes`)

export class UploadQuota {
  readonly uploadsPerHour: number
  readonly bytesPerHour: number
  /** Per user: the uploads of the last hour, oldest first. */
  private readonly recent = new Map<number, { at: number; bytes: number }[]>()
  private sweptAt = 0

  constructor(opts: UploadQuotaOptions = {}) {
    this.uploadsPerHour = opts.uploadsPerHour ?? DEFAULT_UPLOADS_PER_HOUR
    this.bytesPerHour = opts.bytesPerHour ?? DEFAULT_UPLOAD_BYTES_PER_HOUR
  }

  /** Counts an upload of `bytes` by this user when the quota allows it; otherwise says when to retry. */
  take(userId: number, bytes: number, now = Date.now()): QuotaAnswer {
    // Users who stopped uploading an hour ago are forgotten (once an hour, all of them).
    if (now - this.sweptAt > HOUR_MS) {
      for (const [id, l] of this.recent) if (l[l.length - 1]!.at <= now - HOUR_MS) this.recent.delete(id)
      this.sweptAt = now
    }
    const list = (this.recent.get(userId) ?? []).filter((u) => u.at > now - HOUR_MS)
    const used = list.reduce((sum, u) => sum + u.bytes, 0)
    const retryAt = (i: number) => Math.max(1, Math.ceil((list[i]!.at + HOUR_MS - now) / 1000))
    let refusal: QuotaAnswer | undefined
    if (list.length >= this.uploadsPerHour) {
      const s = retryAt(list.length - this.uploadsPerHour)
      refusal = { ok: false, retryAfterS: s, message: `photo upload quota reached: at most ${this.uploadsPerHour} photos per hour per user; try again in ${minutes(s)}` }
    } else if (used + bytes > this.bytesPerHour) {
      // The earliest time enough of this hour's bytes have aged out for this upload to fit.
      let freed = 0
      let i = 0
      while (i < list.length && used - freed + bytes > this.bytesPerHour) freed += list[i++]!.bytes
      const s = used - freed + bytes > this.bytesPerHour ? HOUR_MS / 1000 : retryAt(i - 1)
      refusal = {
        ok: false,
        retryAfterS: s,
        message: `photo upload quota reached: at most ${mb(this.bytesPerHour)} of photos per hour per user (${mb(used)} sent this hour, this one is ${mb(bytes)}); try again in ${minutes(s)}`,
      }
    }
    if (refusal) {
      this.store(userId, list)
      return refusal
    }
    list.push({ at: now, bytes })
    this.store(userId, list)
    return { ok: true }
  }

  private store(userId: number, list: { at: number; bytes: number }[]) {
    if (list.length) this.recent.set(userId, list)
    else this.recent.delete(userId)
  }
}
