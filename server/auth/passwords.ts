import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomInt } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'
import { repoRoot } from '../infra/paths.js'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../domain/accounts.js'

/** argon2id with the library defaults (OWASP: 19 MiB, 2 passes, 1 lane), stated so that a change is visible. */
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 }


export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2)
}

// Verifying against this when the user does not exist takes as long as a real check: the answer
// time does not tell which usernames exist.
let dummyHash: Promise<string> | undefined

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false
  if (!stored) {
    dummyHash ??= hashPassword('povmap-no-such-user-0000')
    await verify(await dummyHash, password).catch(() => false)
    return false
  }
  try {
    return await verify(stored, password)
  } catch {
    return false
  }
}

const SEQUENCES = ['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz', 'zyxwvutsrqponmlkjihgfedcbazyxwvutsrqponmlkjihgfedcba', 'qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p']

let common: Set<string> | undefined
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(join(repoRoot, 'server', 'auth', 'common-passwords.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#')),
  )
  return common
}

/**
 * Why a new password is refused, or null when it is acceptable: at least 12 characters (code
 * points), at most 128, not a common password or a common stem with digits/symbols around it, not
 * containing the username, not digits only, not a keyboard or alphabet run, not one character or a
 * short pattern repeated.
 */
export function passwordProblem(password: string, username?: string): string | null {
  const chars = [...password]
  if (chars.length < PASSWORD_MIN_LENGTH) return `the password must have at least ${PASSWORD_MIN_LENGTH} characters`
  if (chars.length > PASSWORD_MAX_LENGTH) return `the password must have at most ${PASSWORD_MAX_LENGTH} characters`
  const lower = password.toLowerCase()
  const list = commonPasswords()
  const stem = lower.replace(/^[\d\W_]+|[\d\W_]+$/gu, '')
  if (list.has(lower) || list.has(stem) || list.has(lower.replace(/[\W_]+/gu, ''))) return 'the password is too common'
  if (username && username.length >= 3 && lower.includes(username.toLowerCase())) return 'the password must not contain the username'
  // Digits only are dates, phone and ID numbers: the first guesses.
  if (/^[0-9]+$/.test(password)) return 'the password must not be digits only'
  if (SEQUENCES.some((q) => q.includes(lower))) return 'the password is a keyboard or alphabet sequence'
  if (new Set(chars).size < 5) return 'the password repeats too few different characters'
  for (let n = 1; n <= 4; n++) {
    if (chars.length % n === 0 && password === password.slice(0, n).repeat(chars.length / n)) return 'the password is a repeated pattern'
  }
  return null
}

const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/** A random password (≈ 105 bits) for generated demo accounts. */
export function generatePassword(length = 18): string {
  for (;;) {
    const p = Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')
    if (!passwordProblem(p)) return p
  }
}
