/**
 * Test photos as phones send them, metadata included: an Exif block with a GPS position and a maker
 * note, XMP, a comment. The JPEG is a well-formed container (markers, segment lengths, a scan) but not a
 * decodable picture (no image library here); the PNG is a real 4×4 image from pngjs with eXIf and tEXt
 * chunks added.
 */
import { crc32 } from 'node:zlib'
import { PNG } from 'pngjs'

/** Text planted in the metadata: none of it may survive an upload. */
export const PHOTO_SECRETS = ['GPSLatitude 28.3012N', 'GPSLongitude 109.5021E', 'HUAWEI P30 SN:8H3K2', 'Owner: 龙某某']

const segment = (marker: number, body: Buffer) => {
  const head = Buffer.from([0xff, marker, 0, 0])
  head.writeUInt16BE(body.length + 2, 2)
  return Buffer.concat([head, body])
}

/** A JPEG with JFIF, Exif (GPS, maker note), XMP and a comment; `seed` varies the scan bytes. */
export function phoneJpeg(seed = 1): Buffer {
  const scan = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + seed * 11) & 0x7f))
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), Buffer.from(`${PHOTO_SECRETS[0]} ${PHOTO_SECRETS[1]} Make ${PHOTO_SECRETS[2]}`)])),
    segment(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>${PHOTO_SECRETS[3]}</x:xmpmeta>`)),
    segment(0xe2, Buffer.concat([Buffer.from('ICC_PROFILE\0\x01\x01', 'latin1'), Buffer.alloc(16, 7)])),
    segment(0xfe, Buffer.from(`${PHOTO_SECRETS[3]}`)),
    segment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)])),
    segment(0xc0, Buffer.from([8, 0, 4, 0, 4, 1, 1, 0x11, 0])),
    segment(0xc4, Buffer.concat([Buffer.from([0]), Buffer.alloc(16, 0), Buffer.from([0])])),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    scan,
    Buffer.from([0xff, 0xd9]),
  ])
}

/** The same JPEG as it must be stored: JFIF, ICC profile, tables, frame, scan; no Exif, XMP or comment. */
export function strippedJpeg(seed = 1): Buffer {
  const b = phoneJpeg(seed)
  const out: Buffer[] = [b.subarray(0, 2)]
  let i = 2
  while (b[i + 1] !== 0xda) {
    const end = i + 2 + b.readUInt16BE(i + 2)
    const marker = b[i + 1]!
    if (marker !== 0xe1 && marker !== 0xfe) out.push(b.subarray(i, end))
    i = end
  }
  out.push(b.subarray(i))
  return Buffer.concat(out)
}

const chunk = (type: string, data: Buffer) => {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td) >>> 0)
  return Buffer.concat([len, td, crc])
}

/** A real 4×4 PNG with an eXIf chunk (GPS) and a tEXt chunk (owner) after IHDR. */
export function phonePng(): Buffer {
  const png = new PNG({ width: 4, height: 4 })
  png.data.fill(0x80)
  const plain = PNG.sync.write(png)
  const ihdrEnd = 8 + 12 + plain.readUInt32BE(8)
  return Buffer.concat([
    plain.subarray(0, ihdrEnd),
    chunk('eXIf', Buffer.from(`MM\0*${PHOTO_SECRETS[0]} ${PHOTO_SECRETS[1]} ${PHOTO_SECRETS[2]}`)),
    chunk('tEXt', Buffer.from(`Author\0${PHOTO_SECRETS[3]}`)),
    plain.subarray(ihdrEnd),
  ])
}
