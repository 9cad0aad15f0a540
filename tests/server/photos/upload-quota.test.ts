import { describe, expect, it } from 'vitest'
import { DEFAULT_UPLOAD_BYTES_PER_HOUR, DEFAULT_UPLOADS_PER_HOUR, UploadQuota } from '../../../server/photos/upload-quota.js'
import { ConfigError, loadConfig } from '../../../server/infra/config.js'

const MIN = 60_000

describe('UploadQuota', () => {
  it('counts photos per user in a sliding hour and says when to retry', () => {
    const q = new UploadQuota({ uploadsPerHour: 2, bytesPerHour: 100 })
    expect(q.take(1, 10, 0)).toEqual({ ok: true })
    expect(q.take(1, 10, 10 * MIN)).toEqual({ ok: true })
    expect(q.take(2, 10, 10 * MIN)).toEqual({ ok: true })
    expect(q.take(1, 10, 20 * MIN)).toEqual({ ok: false, retryAfterS: 40 * 60, message: 'photo upload quota reached: at most 2 photos per hour per user; try again in 40 minutes' })
    // A refusal is not counted; the first upload ages out after an hour.
    expect(q.take(1, 10, 60 * MIN - 1).ok).toBe(false)
    expect(q.take(1, 10, 60 * MIN)).toEqual({ ok: true })
  })

  it('counts bytes per user in a sliding hour: refused when this one would pass the limit, retry when enough has aged out', () => {
    const MB = 1_000_000
    const q = new UploadQuota({ uploadsPerHour: 100, bytesPerHour: 100 * MB })
    expect(q.take(1, 40 * MB, 0)).toEqual({ ok: true })
    expect(q.take(1, 40 * MB, 5 * MIN)).toEqual({ ok: true })
    const refused = q.take(1, 30 * MB, 10 * MIN)
    expect(refused).toEqual({
      ok: false,
      retryAfterS: 50 * 60,
      message: 'photo upload quota reached: at most 100 MB of photos per hour per user (80 MB sent this hour, this one is 30 MB); try again in 50 minutes',
    })
    expect(q.take(1, 20 * MB, 10 * MIN)).toEqual({ ok: true })
    // 80 MB needs the first two gone: an hour after the second, 45 minutes from now.
    expect(q.take(1, 80 * MB, 20 * MIN)).toMatchObject({ ok: false, retryAfterS: 45 * 60 })
    // More than the whole hour's allowance: an hour.
    expect(q.take(3, 101 * MB, 0)).toMatchObject({ ok: false, retryAfterS: 3600 })
    // Another user is not affected.
    expect(q.take(2, 60 * MB, 20 * MIN)).toEqual({ ok: true })
  })

  it('defaults: 120 photos and 500 MB per user and hour; PHOTO_UPLOADS_PER_HOUR and PHOTO_UPLOAD_MB_PER_HOUR set them', () => {
    expect([DEFAULT_UPLOADS_PER_HOUR, DEFAULT_UPLOAD_BYTES_PER_HOUR]).toEqual([120, 500_000_000])
    expect(loadConfig({}).photos).toEqual({ uploadsPerHour: 120, bytesPerHour: 500_000_000 })
    expect(loadConfig({ PHOTO_UPLOADS_PER_HOUR: '30', PHOTO_UPLOAD_MB_PER_HOUR: '200' }).photos).toEqual({ uploadsPerHour: 30, bytesPerHour: 200_000_000 })
    // Less than one photo at the 8 MiB limit would refuse every large photo.
    expect(() => loadConfig({ PHOTO_UPLOAD_MB_PER_HOUR: '8' })).toThrow(ConfigError)
    expect(() => loadConfig({ PHOTO_UPLOADS_PER_HOUR: '0' })).toThrow(/PHOTO_UPLOADS_PER_HOUR/)
  })
})
