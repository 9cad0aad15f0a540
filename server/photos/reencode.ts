/**
 * Field photos come from phones: their metadata holds the GPS position (of a poor household's home),
 * the device's make, model and serial, maker notes, sometimes the owner's name; and it hides in more
 * places than segments before the scan: multi-picture and maker trailers after the JPEG's end of
 * image, C2PA manifests and other chunks a PNG reader skips. So nothing of the sent container is
 * kept: the picture is decoded and encoded anew by sharp (libvips), turned upright as its Exif
 * orientation says, converted to sRGB, with no metadata at all (sharp writes none unless asked).
 *
 * Decoding costs memory in proportion to the pixels, not to the bytes sent (a few kilobytes can claim
 * 50 000 × 50 000), so the pixel count is read from the header and refused before anything is decoded,
 * and at most MAX_DECODING pictures are decoded at once.
 */
import sharp from 'sharp'

export type ImageType = 'image/jpeg' | 'image/png'

/** The most pixels a photo may have: 40 megapixels, above any phone's default resolution. */
export const MAX_PHOTO_PIXELS = 40_000_000
/** Decodes at once: each may take ~4 bytes per pixel (160 MB at the limit), outside the V8 heap. */
const MAX_DECODING = 2

export class ImageError extends Error {
  override name = 'ImageError'
  /** 400: not a readable image of its type; 413: more pixels than accepted. */
  readonly status: 400 | 413
  constructor(message: string, status: 400 | 413 = 400, options?: ErrorOptions) {
    super(message, options)
    this.status = status
  }
}

// Each photo is decoded once: libvips' operation cache would only hold memory.
sharp.cache(false)

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const FORMAT: Record<ImageType, 'jpeg' | 'png'> = { 'image/jpeg': 'jpeg', 'image/png': 'png' }
const NAME: Record<ImageType, string> = { 'image/jpeg': 'JPEG', 'image/png': 'PNG' }

/** The type the bytes really are (magic numbers), or null. */
export function sniffImage(bytes: Buffer): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg'
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png'
  return null
}

export interface Reencoded {
  image: Buffer
  width: number
  height: number
}

/**
 * The picture of `bytes` (a JPEG or PNG, as `type` says) encoded anew in the same format, upright,
 * without metadata. Throws ImageError: 413 above `maxPixels`, 400 for what does not decode.
 */
export async function reencodeImage(bytes: Buffer, type: ImageType, opts: { maxPixels?: number } = {}): Promise<Reencoded> {
  const maxPixels = opts.maxPixels ?? MAX_PHOTO_PIXELS
  const name = NAME[type]
  let header: sharp.Metadata
  try {
    header = await sharp(bytes).metadata()
  } catch (e) {
    throw new ImageError(`the body is not a readable ${name} image`, 400, { cause: e })
  }
  if (header.format !== FORMAT[type]) throw new ImageError(`the body is not a ${name} image`)
  const { width, height } = header
  if (!width || !height) throw new ImageError(`the ${name} image has no size`)
  if (width * height > maxPixels) {
    const mp = (n: number) => `${+(n / 1e6).toFixed(1)} megapixels`
    throw new ImageError(`the image is ${width}×${height} (${mp(width * height)}); at most ${mp(maxPixels)} are accepted`, 413)
  }
  await decoding.acquire()
  try {
    // failOn 'error': a truncated or corrupt picture is refused; libvips' warnings (common in phone files) are not.
    const upright = sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels }).autoOrient()
    const encoder = type === 'image/jpeg' ? upright.jpeg({ quality: 90 }) : upright.png()
    const { data, info } = await encoder.toBuffer({ resolveWithObject: true })
    return { image: data, width: info.width, height: info.height }
  } catch (e) {
    throw new ImageError(`the ${name} image could not be decoded`, 400, { cause: e })
  } finally {
    decoding.release()
  }
}

/** A counting semaphore: at most `max` holders, the others wait in order. */
function semaphore(max: number) {
  let held = 0
  const waiting: (() => void)[] = []
  return {
    acquire: (): Promise<void> => {
      if (held < max) {
        held++
        return Promise.resolve()
      }
      return new Promise((resolve) => waiting.push(resolve))
    },
    release: () => {
      const next = waiting.shift()
      if (next) next()
      else held--
    },
  }
}
const decoding = semaphore(MAX_DECODING)
