import { ConfigError } from '../infra/config.js'
import { DbUnavailableError } from '../db/types.js'
import { MigrationError } from '../migrations/runner.js'

/** Hides a password in any postgres URL that a message may quote. */
export function redactUrls(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+):[^@\s]+@/g, '$1:***@')
}

/** One clear line on stderr for the failures an operator can fix (bad config, database down), then exit. */
export function failAndExit(what: string, err: unknown): never {
  const e = err as Error
  const known = e instanceof ConfigError || e instanceof DbUnavailableError || e instanceof MigrationError || e?.name === 'UsageError'
  const msg = redactUrls(e?.message ?? String(err)).split('\n')[0]
  process.stderr.write(`povmap: ${what}: ${msg}\n`)
  if (!known && process.env.POVMAP_DEBUG) process.stderr.write(`${e?.stack}\n`)
  process.exit(1)
}
