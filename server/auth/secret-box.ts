/**
 * Secrets the server must read back (TOTP seeds) are kept sealed with AES-256-GCM under a key that is
 * not in the database: POVMAP_SECRET_KEY, or DATA_DIR/secret.key (generated once, mode 0600). A copy
 * of the database alone (a backup, a replica, the request role reading app_user) gives no usable seed.
 *
 * Sealed form: `v1.<key id>.<base64url(iv ‖ tag ‖ ciphertext)>`. The key id (8 hex digits of a hash of
 * the key) says which key sealed a value, so a value sealed under another key is refused with a message
 * that says so instead of failing as a wrong code. A context string (e.g. the row's id) is bound as
 * additional authenticated data: a sealed value copied to another row does not open there.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const SECRET_KEY_FILE = 'secret.key'
const VERSION = 'v1'
const SEALED = /^v1\.([0-9a-f]{8})\.([A-Za-z0-9_-]+)$/

export class SecretKeyError extends Error {
  override name = 'SecretKeyError'
}

export interface SecretKey {
  readonly key: Buffer
  /** 8 hex digits identifying the key (not the key). */
  readonly id: string
}

export function secretKeyFrom(key: Buffer): SecretKey {
  if (key.length !== 32) throw new SecretKeyError(`a secret key is 32 bytes, not ${key.length}`)
  return { key: Buffer.from(key), id: createHash('sha256').update('povmap secret key id\0').update(key).digest('hex').slice(0, 8) }
}

/**
 * The deployment's key: `fromEnv` (POVMAP_SECRET_KEY, already decoded) or DATA_DIR/secret.key, created
 * on first use with mode 0600 (exclusive create: two processes starting at once end up with one key).
 * Several processes sharing one database must share the key: set POVMAP_SECRET_KEY on each.
 */
export function loadSecretKey(opts: { fromEnv: Buffer | undefined; dataDir: string }): { key: SecretKey; source: 'env' | 'file' | 'created' } {
  if (opts.fromEnv) return { key: secretKeyFrom(opts.fromEnv), source: 'env' }
  const file = join(opts.dataDir, SECRET_KEY_FILE)
  mkdirSync(opts.dataDir, { recursive: true })
  let source: 'file' | 'created' = 'file'
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
    source = 'created'
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new SecretKeyError(`cannot create ${file}: ${(err as Error).message}`, { cause: err })
  }
  const mode = statSync(file).mode & 0o777
  if ((mode & 0o077) !== 0) throw new SecretKeyError(`${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`)
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
  if (key.length !== 32) throw new SecretKeyError(`${file} does not hold a base64 key of 32 bytes`)
  return { key: secretKeyFrom(key), source }
}

let current: SecretKey | null = null

/** Sets the key of this process (server start-up, before any account is read or written). */
export function useSecretKey(key: SecretKey): void {
  current = key
}

/**
 * The key of this process. Without useSecretKey() (tests, in-process tools) a random key is made for
 * the life of the process: whatever it seals is readable by that process only. server.ts always sets one.
 */
export function secretKey(): SecretKey {
  current ??= secretKeyFrom(randomBytes(32))
  return current
}

export function isSealed(value: string): boolean {
  return SEALED.test(value)
}

/** The key id a sealed value names, or null for a value that is not sealed. */
export function sealedKeyId(value: string): string | null {
  return SEALED.exec(value)?.[1] ?? null
}

export function seal(plain: string, context: string, k: SecretKey = secretKey()): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', k.key, iv)
  cipher.setAAD(Buffer.from(context, 'utf8'))
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return `${VERSION}.${k.id}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`
}

/** The plain text of a sealed value; throws SecretKeyError when it is not sealed, sealed under another key, altered, or bound to another context. */
export function unseal(sealed: string, context: string, k: SecretKey = secretKey()): string {
  const m = SEALED.exec(sealed)
  if (!m) throw new SecretKeyError('not a sealed value')
  if (m[1] !== k.id) throw new SecretKeyError(`sealed under another key (key id ${m[1]}, this server has ${k.id}): set POVMAP_SECRET_KEY (or DATA_DIR/${SECRET_KEY_FILE}) to the key that sealed it`)
  const raw = Buffer.from(m[2]!, 'base64url')
  if (raw.length < 28) throw new SecretKeyError('sealed value too short')
  try {
    const decipher = createDecipheriv('aes-256-gcm', k.key, raw.subarray(0, 12))
    decipher.setAAD(Buffer.from(context, 'utf8'))
    decipher.setAuthTag(raw.subarray(12, 28))
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
  } catch (err) {
    throw new SecretKeyError('sealed value altered or bound to another record', { cause: err })
  }
}
