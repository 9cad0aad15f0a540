/**
 * Field photos come from phones: their metadata holds the GPS position (of a poor household's home),
 * the device's make, model and serial, maker notes, sometimes the owner's name. What is kept is the
 * image only. Pure byte surgery on the container, no decoding (no native image library here):
 *
 * - JPEG: the segments before the scan are walked; APP0 (JFIF), APP2 ICC_PROFILE (colours) and APP14
 *   (Adobe colour transform) are kept, every other APPn (APP1 Exif/XMP, APP13 IPTC/Photoshop …) and
 *   COM is dropped; the scan and everything after it is copied as is.
 * - PNG: ancillary text and metadata chunks (eXIf, tEXt, zTXt, iTXt, tIME) are dropped; the rest is
 *   copied up to IEND.
 *
 * Anything that does not parse as one of the two is refused (the caller answers 400).
 */

export type ImageType = 'image/jpeg' | 'image/png'

export class ImageError extends Error {
  override name = 'ImageError'
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const PNG_DROPPED = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME'])

/** The type the bytes really are (magic numbers), or null. */
export function sniffImage(bytes: Buffer): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg'
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png'
  return null
}

export function stripImageMetadata(bytes: Buffer, type: ImageType): Buffer {
  return type === 'image/jpeg' ? stripJpeg(bytes) : stripPng(bytes)
}

function stripJpeg(b: Buffer): Buffer {
  if (sniffImage(b) !== 'image/jpeg') throw new ImageError('not a JPEG file')
  const out: Buffer[] = [b.subarray(0, 2)]
  let i = 2
  for (;;) {
    if (i + 4 > b.length) throw new ImageError('JPEG ends before its image data')
    if (b[i] !== 0xff) throw new ImageError(`JPEG marker expected at byte ${i}`)
    const marker = b[i + 1]!
    // Fill bytes (0xFF 0xFF …) may pad between segments.
    if (marker === 0xff) {
      i++
      continue
    }
    // Start of scan: entropy-coded data follows; keep everything from here on.
    if (marker === 0xda) {
      out.push(b.subarray(i))
      return Buffer.concat(out)
    }
    if (marker === 0xd9) throw new ImageError('JPEG without image data')
    // Standalone markers carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      out.push(b.subarray(i, i + 2))
      i += 2
      continue
    }
    const length = b.readUInt16BE(i + 2)
    if (length < 2 || i + 2 + length > b.length) throw new ImageError('JPEG segment runs past the end of the file')
    const end = i + 2 + length
    const isApp = marker >= 0xe0 && marker <= 0xef
    const keep =
      (!isApp && marker !== 0xfe) ||
      marker === 0xe0 ||
      marker === 0xee ||
      (marker === 0xe2 && b.subarray(i + 4, i + 16).toString('latin1') === 'ICC_PROFILE\0')
    if (keep) out.push(b.subarray(i, end))
    i = end
  }
}

function stripPng(b: Buffer): Buffer {
  if (sniffImage(b) !== 'image/png') throw new ImageError('not a PNG file')
  const out: Buffer[] = [b.subarray(0, 8)]
  let i = 8
  let first = true
  for (;;) {
    if (i + 12 > b.length) throw new ImageError('PNG ends before IEND')
    const length = b.readUInt32BE(i)
    const type = b.subarray(i + 4, i + 8).toString('latin1')
    const end = i + 12 + length
    if (!/^[A-Za-z]{4}$/.test(type) || end > b.length) throw new ImageError('malformed PNG chunk')
    if (first && type !== 'IHDR') throw new ImageError('PNG must start with IHDR')
    first = false
    if (!PNG_DROPPED.has(type)) out.push(b.subarray(i, end))
    if (type === 'IEND') return Buffer.concat(out)
    i = end
  }
}
