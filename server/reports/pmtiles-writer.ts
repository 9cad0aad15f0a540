/**
 * A PMTiles v3 archive (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md) written from tiles
 * in memory: the `pmtiles` package reads archives but writes none, so the header and the directories are
 * serialised here (tile ids by `zxyToTileId` of that package). Tiles and directories gzip-compressed,
 * clustered (tile data in tile-id order), identical tiles stored once; leaf directories when the root
 * directory would not fit in the first 16 KiB.
 */
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { zxyToTileId } from 'pmtiles'

interface Entry {
  tileId: number
  offset: number
  length: number
  runLength: number
}

const HEADER_BYTES = 127
const ROOT_MAX = 16_384 - HEADER_BYTES
const GZIP = 2
const MVT = 1

function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
}

/** A directory: counts, tile-id deltas, run lengths, lengths, offsets (0 = right after the previous), gzipped. */
function serialiseDirectory(entries: readonly Entry[]): Buffer {
  const out: number[] = []
  varint(out, entries.length)
  let last = 0
  for (const e of entries) {
    varint(out, e.tileId - last)
    last = e.tileId
  }
  for (const e of entries) varint(out, e.runLength)
  for (const e of entries) varint(out, e.length)
  entries.forEach((e, i) => varint(out, i > 0 && e.offset === entries[i - 1]!.offset + entries[i - 1]!.length ? 0 : e.offset + 1))
  return gzipSync(Buffer.from(out))
}

export interface PmtilesMetadata {
  bounds: [number, number, number, number]
  center: [number, number, number]
  minzoom: number
  maxzoom: number
  /** Written as the archive's JSON metadata (name, description, vector_layers…). */
  json: Record<string, unknown>
}

export class PmtilesWriter {
  private readonly tiles = new Map<number, Buffer>()

  /** A tile's MVT bytes (uncompressed); empty tiles are better left out. */
  add(z: number, x: number, y: number, mvt: Buffer): void {
    this.tiles.set(zxyToTileId(z, x, y), gzipSync(mvt))
  }

  get size(): number {
    return this.tiles.size
  }

  finish(meta: PmtilesMetadata): Buffer {
    const ids = [...this.tiles.keys()].sort((a, b) => a - b)
    const data: Buffer[] = []
    const byHash = new Map<string, { offset: number; length: number }>()
    const entries: Entry[] = []
    let offset = 0
    for (const id of ids) {
      const bytes = this.tiles.get(id)!
      const hash = createHash('sha256').update(bytes).digest('hex')
      let at = byHash.get(hash)
      if (!at) {
        at = { offset, length: bytes.length }
        byHash.set(hash, at)
        data.push(bytes)
        offset += bytes.length
      }
      const prev = entries[entries.length - 1]
      // A run: the same content for consecutive tile ids.
      if (prev && prev.tileId + prev.runLength === id && prev.offset === at.offset) prev.runLength++
      else entries.push({ tileId: id, offset: at.offset, length: at.length, runLength: 1 })
    }
    let root = serialiseDirectory(entries)
    let leaves = Buffer.alloc(0)
    if (root.length > ROOT_MAX) {
      for (let per = 4096; ; per *= 2) {
        const leafParts: Buffer[] = []
        const rootEntries: Entry[] = []
        let leafOffset = 0
        for (let i = 0; i < entries.length; i += per) {
          const leaf = serialiseDirectory(entries.slice(i, i + per))
          rootEntries.push({ tileId: entries[i]!.tileId, offset: leafOffset, length: leaf.length, runLength: 0 })
          leafParts.push(leaf)
          leafOffset += leaf.length
        }
        root = serialiseDirectory(rootEntries)
        leaves = Buffer.concat(leafParts)
        if (root.length <= ROOT_MAX) break
      }
    }
    const metadata = gzipSync(Buffer.from(JSON.stringify(meta.json)))
    const tileData = Buffer.concat(data)
    const header = Buffer.alloc(HEADER_BYTES)
    header.write('PMTiles', 0, 'ascii')
    header.writeUInt8(3, 7)
    const rootOffset = HEADER_BYTES
    const metaOffset = rootOffset + root.length
    const leafOffset = metaOffset + metadata.length
    const dataOffset = leafOffset + leaves.length
    const u64 = (v: number, at: number) => header.writeBigUInt64LE(BigInt(v), at)
    u64(rootOffset, 8)
    u64(root.length, 16)
    u64(metaOffset, 24)
    u64(metadata.length, 32)
    u64(leafOffset, 40)
    u64(leaves.length, 48)
    u64(dataOffset, 56)
    u64(tileData.length, 64)
    u64(ids.length, 72)
    u64(entries.length, 80)
    u64(byHash.size, 88)
    header.writeUInt8(1, 96) // clustered
    header.writeUInt8(GZIP, 97)
    header.writeUInt8(GZIP, 98)
    header.writeUInt8(MVT, 99)
    header.writeUInt8(meta.minzoom, 100)
    header.writeUInt8(meta.maxzoom, 101)
    const e7 = (v: number) => Math.round(v * 1e7)
    header.writeInt32LE(e7(meta.bounds[0]), 102)
    header.writeInt32LE(e7(meta.bounds[1]), 106)
    header.writeInt32LE(e7(meta.bounds[2]), 110)
    header.writeInt32LE(e7(meta.bounds[3]), 114)
    header.writeUInt8(meta.center[2], 118)
    header.writeInt32LE(e7(meta.center[0]), 119)
    header.writeInt32LE(e7(meta.center[1]), 123)
    return Buffer.concat([header, root, metadata, leaves, tileData])
  }
}
