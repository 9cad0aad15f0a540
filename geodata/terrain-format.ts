/**
 * The DEM as the loader writes it and the tile server reads it: the Terrain type, its file format and
 * where the file lives. Shared by geodata (which generates and saves it) and server/tiles (which cuts it
 * into Terrarium tiles), so it imports nothing from either.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** A DEM grid: cell-centred (a value is the elevation at the centre of its cell), row 0 the north edge. */
export interface TerrainGrid {
  west: number
  south: number
  east: number
  north: number
  width: number
  height: number
  /** Degrees per cell (same in x and y). */
  cellDeg: number
  /** Elevation in metres, row-major, north to south. */
  data: Int16Array
}

/** A raster DEM over Hunan; row 0 is the north edge. Cut into Terrarium tiles later. */
export interface Terrain extends TerrainGrid {
  /** Bilinear elevation in metres at a WGS84 position (clamped to the grid). */
  elevation(lon: number, lat: number): number
  /** Slope in degrees at a WGS84 position. */
  slopeDeg(lon: number, lat: number): number
}

/** Where the loader writes the DEM it generated, and where the tile server reads it. */
export function terrainPath(dataDir: string): string {
  return join(dataDir, 'terrain', 'dem.bin')
}

const RAD = Math.PI / 180

/** Metres per degree of longitude and latitude at a latitude (WGS84 series). */
export function metresPerDegree(lat: number): { lon: number; lat: number } {
  const p = lat * RAD
  return {
    lon: 111412.84 * Math.cos(p) - 93.5 * Math.cos(3 * p),
    lat: 111132.92 - 559.82 * Math.cos(2 * p) + 1.175 * Math.cos(4 * p),
  }
}

/** Wraps a grid as a Terrain: bilinear elevation between cell centres, clamped at the edges. */
export function terrainFromGrid(grid: TerrainGrid): Terrain {
  const { west, north, width, height, cellDeg, data } = grid
  if (data.length !== width * height) {
    throw new Error(`terrainFromGrid: ${data.length} values for a ${width}×${height} grid`)
  }
  const elevation = (lon: number, lat: number): number => {
    const fx = Math.min(width - 1, Math.max(0, (lon - west) / cellDeg - 0.5))
    const fy = Math.min(height - 1, Math.max(0, (north - lat) / cellDeg - 0.5))
    const x0 = Math.min(width - 2, Math.floor(fx))
    const y0 = Math.min(height - 2, Math.floor(fy))
    const tx = fx - x0
    const ty = fy - y0
    const i = y0 * width + x0
    const top = data[i]! + (data[i + 1]! - data[i]!) * tx
    const bottom = data[i + width]! + (data[i + width + 1]! - data[i + width]!) * tx
    return top + (bottom - top) * ty
  }
  const slopeDeg = (lon: number, lat: number): number => {
    const h = cellDeg
    const m = metresPerDegree(lat)
    const dzdx = (elevation(lon + h, lat) - elevation(lon - h, lat)) / (2 * h * m.lon)
    const dzdy = (elevation(lon, lat + h) - elevation(lon, lat - h)) / (2 * h * m.lat)
    return Math.atan(Math.hypot(dzdx, dzdy)) / RAD
  }
  return { west, south: grid.south, east: grid.east, north, width, height, cellDeg, data, elevation, slopeDeg }
}

const FILE_MAGIC = 'POVMAPDEM'
const FILE_VERSION = 1

interface TerrainFileHeader {
  version: number
  west: number
  south: number
  east: number
  north: number
  width: number
  height: number
  cellDeg: number
  unit: 'm'
  layout: 'int16le, row-major from the north edge, cell-centred'
}

/**
 * Compact binary: "POVMAPDEM\n", uint32 LE header length, header JSON (space-padded so the data
 * starts on an even offset), then width × height Int16 LE metres.
 */
export function terrainToBuffer(terrain: Terrain): Buffer {
  const header: TerrainFileHeader = {
    version: FILE_VERSION,
    west: terrain.west,
    south: terrain.south,
    east: terrain.east,
    north: terrain.north,
    width: terrain.width,
    height: terrain.height,
    cellDeg: terrain.cellDeg,
    unit: 'm',
    layout: 'int16le, row-major from the north edge, cell-centred',
  }
  const magic = Buffer.from(`${FILE_MAGIC}\n`, 'ascii')
  let json = JSON.stringify(header)
  if ((magic.length + 4 + Buffer.byteLength(json)) % 2 !== 0) json += ' '
  const jsonBuf = Buffer.from(json, 'utf8')
  const offset = magic.length + 4 + jsonBuf.length
  const out = Buffer.alloc(offset + terrain.data.length * 2)
  magic.copy(out, 0)
  out.writeUInt32LE(jsonBuf.length, magic.length)
  jsonBuf.copy(out, magic.length + 4)
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  for (let i = 0; i < terrain.data.length; i++) view.setInt16(offset + 2 * i, terrain.data[i]!, true)
  return out
}

export function terrainFromBuffer(buf: Buffer): Terrain {
  const magicLength = FILE_MAGIC.length + 1
  if (buf.length < magicLength + 4 || buf.toString('ascii', 0, FILE_MAGIC.length) !== FILE_MAGIC) {
    throw new Error('terrainFromBuffer: not a povmap DEM (bad magic)')
  }
  const jsonLength = buf.readUInt32LE(magicLength)
  const offset = magicLength + 4 + jsonLength
  const header = JSON.parse(buf.toString('utf8', magicLength + 4, offset)) as TerrainFileHeader
  if (header.version !== FILE_VERSION) {
    throw new Error(`terrainFromBuffer: DEM file version ${header.version}, expected ${FILE_VERSION}`)
  }
  const n = header.width * header.height
  if (buf.length !== offset + 2 * n) {
    throw new Error(`terrainFromBuffer: ${buf.length - offset} data bytes for a ${header.width}×${header.height} grid`)
  }
  const data = new Int16Array(n)
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  for (let i = 0; i < n; i++) data[i] = view.getInt16(offset + 2 * i, true)
  return terrainFromGrid({ ...header, data })
}

export async function saveTerrain(path: string, terrain: Terrain): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, terrainToBuffer(terrain))
}

export async function loadTerrain(path: string): Promise<Terrain> {
  try {
    return terrainFromBuffer(await readFile(path))
  } catch (err) {
    throw new Error(`Unable to load terrain from ${path}`, { cause: err })
  }
}
