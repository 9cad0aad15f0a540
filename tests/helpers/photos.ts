/**
 * Test photos as phones send them, metadata included: a real (decodable) JPEG with an Exif block
 * (camera, owner, orientation and a GPS IFD), XMP and a comment, optionally a trailer after its end
 * of image holding another Exif block with GPS (as multi-picture and maker trailers do); a real PNG
 * with eXIf, tEXt and an unknown ancillary chunk (`caBX`, as C2PA manifests travel). And images whose
 * header claims more pixels than the server accepts. The pictures are drawn by sharp.
 */
import { crc32 } from 'node:zlib'
import sharp from 'sharp'
import { PNG } from 'pngjs'

/** Text planted in the metadata: none of it may survive an upload. */
export const PHOTO_SECRETS = ['GPSLatitude 28.3012N', 'GPSLongitude 109.5021E', 'HUAWEI P30 SN:8H3K2', 'Owner: 龙某某']
/** Planted in the JPEG trailer and the PNG's unknown chunk. */
export const TRAILER_SECRET = 'C2PA manifest: captured by HUAWEI P30 SN:8H3K2 at 28.3012N 109.5021E'

const segment = (marker: number, body: Buffer) => {
  const head = Buffer.from([0xff, marker, 0, 0])
  head.writeUInt16BE(body.length + 2, 2)
  return Buffer.concat([head, body])
}

type Entry = { tag: number; type: 'ascii' | 'short' | 'long' | 'rational'; value: string | number | [number, number][] }
const TYPE = { ascii: 2, short: 3, long: 4, rational: 5 } as const

/** One big-endian TIFF IFD placed at `start` (values over 4 bytes follow it). */
function ifd(entries: Entry[], start: number): Buffer {
  const head = Buffer.alloc(2 + entries.length * 12 + 4)
  head.writeUInt16BE(entries.length, 0)
  const data: Buffer[] = []
  let offset = start + head.length
  entries.forEach((e, k) => {
    let bytes: Buffer
    let count: number
    if (e.type === 'ascii') {
      bytes = Buffer.concat([Buffer.from(String(e.value)), Buffer.from([0])])
      count = bytes.length
    } else if (e.type === 'rational') {
      const parts = e.value as [number, number][]
      bytes = Buffer.alloc(parts.length * 8)
      parts.forEach(([n, d], j) => {
        bytes.writeUInt32BE(n, j * 8)
        bytes.writeUInt32BE(d, j * 8 + 4)
      })
      count = parts.length
    } else {
      bytes = Buffer.alloc(4)
      if (e.type === 'short') bytes.writeUInt16BE(Number(e.value), 0)
      else bytes.writeUInt32BE(Number(e.value), 0)
      count = 1
    }
    const at = 2 + k * 12
    head.writeUInt16BE(e.tag, at)
    head.writeUInt16BE(TYPE[e.type], at + 2)
    head.writeUInt32BE(count, at + 4)
    if (bytes.length <= 4) bytes.copy(head, at + 8)
    else {
      head.writeUInt32BE(offset, at + 8)
      if (bytes.length % 2) bytes = Buffer.concat([bytes, Buffer.from([0])])
      data.push(bytes)
      offset += bytes.length
    }
  })
  return Buffer.concat([head, ...data])
}

/** An APP1 Exif body: camera, owner, orientation, and a GPS IFD with the position of 十八洞村. */
export function exifWithGps(orientation = 1): Buffer {
  const gps: Entry[] = [
    { tag: 0x0001, type: 'ascii', value: 'N' },
    { tag: 0x0002, type: 'rational', value: [[28, 1], [18, 1], [432, 100]] },
    { tag: 0x0003, type: 'ascii', value: 'E' },
    { tag: 0x0004, type: 'rational', value: [[109, 1], [30, 1], [732, 100]] },
  ]
  const ifd0 = (gpsAt: number): Entry[] => [
    { tag: 0x010e, type: 'ascii', value: `${PHOTO_SECRETS[0]} ${PHOTO_SECRETS[1]}` },
    { tag: 0x010f, type: 'ascii', value: 'HUAWEI' },
    { tag: 0x0110, type: 'ascii', value: PHOTO_SECRETS[2]! },
    { tag: 0x0112, type: 'short', value: orientation },
    { tag: 0x013b, type: 'ascii', value: PHOTO_SECRETS[3]! },
    { tag: 0x8825, type: 'long', value: gpsAt },
  ]
  const gpsAt = 8 + ifd(ifd0(0), 8).length
  const tiff = Buffer.concat([Buffer.from('MM\0*\0\0\0\x08', 'latin1'), ifd(ifd0(gpsAt), 8), ifd(gps, gpsAt)])
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])
}

/** A plain JPEG of this size; `seed` varies its colour. */
export async function plainJpeg(width = 16, height = 8, seed = 1): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: (seed * 67) & 0xff, g: (seed * 29) & 0xff, b: 90 } } }).jpeg().toBuffer()
}

/**
 * A 16×8 JPEG as a phone writes it: Exif (GPS, camera, owner, `orientation`), XMP, a comment; with
 * `trailer`, another Exif block with GPS and TRAILER_SECRET after its end of image.
 */
export async function phoneJpeg(opts: { seed?: number; orientation?: number; trailer?: boolean } = {}): Promise<Buffer> {
  const plain = await plainJpeg(16, 8, opts.seed ?? 1)
  const parts = [
    plain.subarray(0, 2),
    segment(0xe1, exifWithGps(opts.orientation ?? 1)),
    segment(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>${PHOTO_SECRETS[3]}</x:xmpmeta>`)),
    segment(0xfe, Buffer.from(`${PHOTO_SECRETS[3]}`)),
    plain.subarray(2),
  ]
  if (opts.trailer) {
    parts.push(Buffer.from([0xff, 0xd8]), segment(0xe1, exifWithGps()), segment(0xe2, Buffer.from(`MPF\0${TRAILER_SECRET}`)), Buffer.from([0xff, 0xd9]))
  }
  return Buffer.concat(parts)
}

const chunk = (type: string, data: Buffer) => {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td) >>> 0)
  return Buffer.concat([len, td, crc])
}

/** A real 4×4 PNG with an eXIf chunk (GPS) and a tEXt chunk (owner) after IHDR; with `c2pa`, a `caBX` chunk holding TRAILER_SECRET. */
export function phonePng(opts: { c2pa?: boolean } = {}): Buffer {
  const png = new PNG({ width: 4, height: 4 })
  png.data.fill(0x80)
  const plain = PNG.sync.write(png)
  const ihdrEnd = 8 + 12 + plain.readUInt32BE(8)
  return Buffer.concat([
    plain.subarray(0, ihdrEnd),
    chunk('eXIf', exifWithGps().subarray(6)),
    chunk('tEXt', Buffer.from(`Author\0${PHOTO_SECRETS[3]}`)),
    ...(opts.c2pa ? [chunk('caBX', Buffer.from(`jumb${TRAILER_SECRET}`))] : []),
    plain.subarray(ihdrEnd),
  ])
}

/** A real JPEG whose frame header claims width × height (nothing beyond the header is decoded before the check). */
export async function jpegClaiming(width: number, height: number): Promise<Buffer> {
  const b = Buffer.from(await plainJpeg())
  let i = 2
  while (b[i + 1] !== 0xc0) i += 2 + b.readUInt16BE(i + 2)
  b.writeUInt16BE(height, i + 5)
  b.writeUInt16BE(width, i + 7)
  return b
}

/** A real 4×4 PNG whose IHDR claims width × height (CRC fixed). */
export function pngClaiming(width: number, height: number): Buffer {
  const png = new PNG({ width: 4, height: 4 })
  png.data.fill(0x40)
  const b = Buffer.from(PNG.sync.write(png))
  b.writeUInt32BE(width, 16)
  b.writeUInt32BE(height, 20)
  b.writeUInt32BE(crc32(b.subarray(12, 29)) >>> 0, 29)
  return b
}
