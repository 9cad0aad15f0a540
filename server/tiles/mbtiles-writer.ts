import { chmodSync, mkdirSync, rmSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { gzipSync } from 'node:zlib'
import Database from 'better-sqlite3'

/**
 * Writes an MBTiles 1.3 file (SQLite; TMS rows; gzip-compressed pbf) for offline use or a CDN.
 * Written to a temporary file and renamed at the end, so a killed seed never leaves a half file.
 * The file is readable by its owner only (mode 0600), from its creation on: what it holds is what
 * the view it was rendered in may see.
 */
export class MbtilesWriter {
  private readonly db: Database.Database
  private readonly insert: Database.Statement
  private readonly tmp: string

  constructor(private readonly path: string, metadata: Record<string, string>) {
    mkdirSync(dirname(path), { recursive: true })
    this.tmp = `${path}.partial`
    rmSync(this.tmp, { force: true })
    // SQLite takes an empty file as a new database, and gives its journal files the file's mode.
    writeFileSync(this.tmp, '', { mode: 0o600, flag: 'wx' })
    this.db = new Database(this.tmp)
    this.db.pragma('journal_mode = OFF')
    this.db.exec(`CREATE TABLE metadata (name text PRIMARY KEY, value text);
      CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);
      CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);`)
    const meta = this.db.prepare('INSERT INTO metadata (name, value) VALUES (?, ?)')
    for (const [k, v] of Object.entries(metadata)) meta.run(k, v)
    this.insert = this.db.prepare('INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)')
    this.db.exec('BEGIN')
  }

  /** XYZ address in; MBTiles stores TMS rows (y flipped). */
  add(z: number, x: number, y: number, pbf: Buffer): void {
    this.insert.run(z, x, 2 ** z - 1 - y, gzipSync(pbf))
  }

  finish(): void {
    this.db.exec('COMMIT')
    this.db.close()
    chmodSync(this.tmp, 0o600)
    renameSync(this.tmp, this.path)
  }
}
