import { describe, expect, it } from 'vitest'
import sharp from 'sharp'
import { PNG } from 'pngjs'
import { ImageError, MAX_PHOTO_PIXELS, reencodeImage, sniffImage } from '../../../server/photos/reencode.js'
import { jpegClaiming, phoneJpeg, phonePng, plainJpeg, pngClaiming, PHOTO_SECRETS, TRAILER_SECRET } from '../../helpers/photos.js'

const planted = [...PHOTO_SECRETS, TRAILER_SECRET, 'Exif\0\0', 'MPF\0', 'http://ns.adobe.com/xap', 'caBX', 'eXIf', 'tEXt']
const leftovers = (b: Buffer) => planted.filter((s) => b.includes(Buffer.from(s)))

describe('reencodeImage', () => {
  it('keeps the picture of a JPEG and nothing else: no Exif (GPS), XMP, comment, nor the trailer after its end of image', async () => {
    const sent = await phoneJpeg({ seed: 3, trailer: true })
    expect(leftovers(sent)).toEqual(planted.filter((s) => !['caBX', 'eXIf', 'tEXt'].includes(s)))
    const { image, width, height } = await reencodeImage(sent, 'image/jpeg')
    expect([width, height]).toEqual([16, 8])
    expect(leftovers(image)).toEqual([])
    const m = await sharp(image).metadata()
    expect(m).toMatchObject({ format: 'jpeg', width: 16, height: 8 })
    expect([m.exif, m.xmp, m.iptc, m.icc, m.comments, m.orientation]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined])
    // One end of image, at the end: nothing trails it.
    expect(image.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]))
    expect(image.indexOf(Buffer.from([0xff, 0xd9]))).toBe(image.length - 2)
  })

  it('turns the picture as its Exif orientation says (6: 16×8 stored upright as 8×16)', async () => {
    const { width, height, image } = await reencodeImage(await phoneJpeg({ orientation: 6 }), 'image/jpeg')
    expect([width, height]).toEqual([8, 16])
    expect(await sharp(image).metadata()).toMatchObject({ width: 8, height: 16 })
  })

  it('keeps the pixels of a PNG and drops eXIf, text and unknown chunks (C2PA)', async () => {
    const sent = phonePng({ c2pa: true })
    const { image } = await reencodeImage(sent, 'image/png')
    expect(leftovers(image)).toEqual([])
    const chunks: string[] = []
    for (let i = 8; i < image.length; i += 12 + image.readUInt32BE(i)) chunks.push(image.subarray(i + 4, i + 8).toString('latin1'))
    // Only what the picture needs (and its pixel density).
    expect(chunks.filter((c) => !['IHDR', 'IDAT', 'IEND', 'PLTE', 'tRNS', 'pHYs'].includes(c))).toEqual([])
    const png = PNG.sync.read(image)
    expect([png.width, png.height, png.data[0], png.data[1], png.data[2]]).toEqual([4, 4, 0x80, 0x80, 0x80])
  })

  it('refuses more than 40 megapixels from the header, before decoding (413), and what does not decode (400)', async () => {
    expect(MAX_PHOTO_PIXELS).toBe(40_000_000)
    for (const [bytes, type] of [[await jpegClaiming(8000, 6000), 'image/jpeg'], [pngClaiming(10000, 5000), 'image/png']] as const) {
      const e = await reencodeImage(bytes, type).catch((x: unknown) => x)
      expect(e, type).toBeInstanceOf(ImageError)
      expect(e).toMatchObject({ status: 413, message: expect.stringMatching(/^the image is \d+×\d+ \(\d+ megapixels\); at most 40 megapixels are accepted$/) })
    }
    // The limit is an option: 16×8 = 128 pixels.
    await expect(reencodeImage(await plainJpeg(), 'image/jpeg', { maxPixels: 127 })).rejects.toMatchObject({ status: 413 })
    await expect(reencodeImage(await plainJpeg(), 'image/jpeg', { maxPixels: 128 })).resolves.toMatchObject({ width: 16 })
    const jpeg = await plainJpeg()
    const bad: [Buffer, 'image/jpeg' | 'image/png'][] = [
      [Buffer.from([0xff, 0xd8, 0xff]), 'image/jpeg'],
      [jpeg.subarray(0, 30), 'image/jpeg'],
      [Buffer.concat([jpeg.subarray(0, jpeg.length - 80), Buffer.alloc(78, 0x55), Buffer.from([0xff, 0xd9])]), 'image/jpeg'],
      [Buffer.from('GIF89a'), 'image/jpeg'],
      [phonePng().subarray(0, 40), 'image/png'],
      [jpeg, 'image/png'],
    ]
    for (const [bytes, type] of bad) await expect(reencodeImage(bytes, type), `${type} ${bytes.length}`).rejects.toMatchObject({ name: 'ImageError', status: 400 })
  })

  it('sniffImage tells JPEG and PNG by their magic numbers', async () => {
    expect(sniffImage(await plainJpeg())).toBe('image/jpeg')
    expect(sniffImage(phonePng())).toBe('image/png')
    expect(sniffImage(Buffer.from('GIF89a'))).toBeNull()
  })
})
