// @ts-check
/**
 * What every povmap command does the same way: `--help` prints its usage to stdout and `--version`
 * the version, both exiting 0; a usage error (unknown option, missing or bad value) prints one line
 * naming the problem and a hint to --help on stderr and exits 2; runtime failures exit 1 (fail.ts).
 * Plain JavaScript typed by JSDoc: `npm start` and `npm run dev` load it on bare node, before any build.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

export const EXIT_USAGE = 2

/** A bad command line: the command answers with the message, a hint to --help, and exit status 2. */
export class UsageError extends Error {
  /** @override */
  name = 'UsageError'
}

/**
 * @typedef {{ type: 'string', value: string, help: string, default?: string }} StringOption
 *   `value` is the placeholder shown in the help (`N`, `FILE`, `demo|province`).
 * @typedef {{ type: 'boolean', help: string }} BooleanOption
 * @typedef {StringOption | BooleanOption} OptionSpec
 */

/**
 * @template {Record<string, OptionSpec>} O
 * @typedef {object} CommandSpec
 * @property {string} name how messages name the command: `load`, `tiles:seed`
 * @property {string} command how it is run, without arguments: `npm run load`
 * @property {string} usage the synopsis, exactly as README.md's command table shows it
 * @property {string} summary what it does, one paragraph
 * @property {O} [options] its options (--help and --version come with every command)
 * @property {readonly string[]} [notes] paragraphs after the options: environment variables, files written
 */

/**
 * @template {Record<string, OptionSpec>} O
 * @typedef {{ [K in keyof O]: O[K] extends BooleanOption ? boolean | undefined : O[K] extends { default: string } ? string : string | undefined }} OptionValues
 */

/** @typedef {{ stdout(text: string): void, stderr(text: string): void, exit(code: number): never }} CommandIo */

/** @type {CommandIo} */
const processIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
}

/** The version in the repository's package.json (found upwards from here: the source tree and dist/ alike). */
export function packageVersion() {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) return 'unknown'
    dir = up
  }
  return /** @type {{ version?: string }} */ (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).version ?? 'unknown'
}

/** Help lines wrap at this width: a terminal's, with room to spare. */
const WIDTH = 100

/** Breaks a paragraph into lines of at most `width` characters (longer words stay whole), indenting all but the first. */
function wrap(/** @type {string} */ text, width = WIDTH, indent = '') {
  const lines = ['']
  for (const word of text.split(/\s+/)) {
    const last = lines.length - 1
    if (lines[last] && (lines[last] + ' ' + word).length > width) lines.push(word)
    else lines[last] = lines[last] ? `${lines[last]} ${word}` : word
  }
  return lines.join(`\n${indent}`)
}

/** One line for what node:util parseArgs objects to, in this module's words. */
function parseProblem(/** @type {{ code?: string, message: string }} */ err) {
  const quoted = /'([^']+)'/.exec(err.message)?.[1]
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted}'`
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}'`
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = quoted?.split(' ')[0]
      return /does not take an argument/.test(err.message) ? `${option} takes no value` : `${option} needs a value`
    }
    default:
      return err.message.split('\n')[0] ?? 'bad command line'
  }
}

/**
 * A command's line: `parse()` answers --help and --version and refuses a bad line itself (exit 0 or 2);
 * a check passed to it turns the option strings into the values the command uses, throwing UsageError.
 * @template {Record<string, OptionSpec>} O
 * @param {CommandSpec<O>} spec
 * @param {CommandIo} [io] where output goes and how it exits (tests)
 */
export function defineCommand(spec, io = processIo) {
  const options = spec.options ?? /** @type {O} */ ({})
  const hint = `Try '${spec.command}${spec.command.startsWith('npm ') ? ' -- ' : ' '}--help'.`

  function help() {
    const rows = [
      ...Object.entries(options).map(([name, o]) => {
        const flag = o.type === 'string' ? `--${name} ${o.value}` : `--${name}`
        return [flag, o.type === 'string' && o.default !== undefined ? `${o.help} (default: ${o.default})` : o.help]
      }),
      ['-h, --help', 'print this help and exit'],
      ['--version', 'print the version and exit'],
    ]
    const width = Math.max(...rows.map(([flag]) => flag?.length ?? 0))
    const table = rows.map(([flag = '', text = '']) => `  ${flag.padEnd(width)}  ${wrap(text, WIDTH - width - 4, ' '.repeat(width + 4))}`).join('\n')
    return [`Usage: ${spec.usage}`, wrap(spec.summary), `Options:\n${table}`, ...(spec.notes ?? []).map((n) => wrap(n))].join('\n\n') + '\n'
  }

  /** @returns {never} */
  function usageError(/** @type {string} */ problem) {
    io.stderr(`povmap: ${spec.name}: ${problem}\n${hint}\n`)
    return io.exit(EXIT_USAGE)
  }

  /**
   * @overload
   * @param {string[]} argv
   * @returns {OptionValues<O>}
   */
  /**
   * @template R
   * @overload
   * @param {string[]} argv
   * @param {(values: OptionValues<O>) => R} check
   * @returns {R}
   */
  /**
   * @param {string[]} argv
   * @param {(values: OptionValues<O>) => unknown} [check]
   */
  function parse(argv, check) {
    /** @type {Record<string, { type: 'string' | 'boolean', short?: string, default?: string }>} */
    const config = { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } }
    for (const [name, o] of Object.entries(options)) config[name] = o.type === 'string' && o.default !== undefined ? { type: 'string', default: o.default } : { type: o.type }
    /** @type {Record<string, string | boolean | undefined>} */
    let values
    try {
      values = parseArgs({ args: argv, options: config, strict: true, allowPositionals: false }).values
    } catch (err) {
      return usageError(parseProblem(/** @type {{ code?: string, message: string }} */ (err)))
    }
    if (values.help) {
      io.stdout(help())
      return io.exit(0)
    }
    if (values.version) {
      io.stdout(`povmap ${spec.name} ${packageVersion()}\n`)
      return io.exit(0)
    }
    delete values.help
    delete values.version
    const parsed = /** @type {OptionValues<O>} */ (values)
    if (!check) return parsed
    try {
      return check(parsed)
    } catch (err) {
      if (err instanceof UsageError) return usageError(err.message)
      throw err
    }
  }

  return { spec, help, hint, parse, usageError }
}

/**
 * A whole number option within [min, max]; the fallback when it is absent.
 * @param {string} name @param {string | undefined} raw @param {number} min @param {number} max @param {number} fallback
 */
export function intOption(name, raw, min, max, fallback) {
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got "${raw}"`)
  const n = Number(raw)
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}`)
  return n
}

/**
 * One of a fixed list of words.
 * @template {string} T
 * @param {string} name @param {string} raw @param {readonly T[]} allowed
 * @returns {T}
 */
export function oneOf(name, raw, allowed) {
  if (!allowed.includes(/** @type {T} */ (raw))) throw new UsageError(`--${name} must be ${allowed.length === 2 ? allowed.join(' or ') : `one of ${allowed.join(', ')}`}, got "${raw}"`)
  return /** @type {T} */ (raw)
}
