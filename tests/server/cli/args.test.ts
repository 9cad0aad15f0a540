import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineCommand, intOption, oneOf, packageVersion, UsageError, type CommandIo } from '../../../server/cli/args.js'
import { repoRoot } from '../../../server/infra/paths.js'

/** The output and exit status of one parse, without leaving the test process. */
class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
  }
}
function run<T>(fn: (io: CommandIo) => T): { value?: T; code?: number; stdout: string; stderr: string } {
  let stdout = ''
  let stderr = ''
  const io: CommandIo = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    exit: (code) => {
      throw new Exit(code)
    },
  }
  try {
    return { value: fn(io), stdout, stderr }
  } catch (err) {
    if (err instanceof Exit) return { code: err.code, stdout, stderr }
    throw err
  }
}

const spec = {
  name: 'thing',
  command: 'npm run thing',
  usage: 'npm run thing -- [--size N] [--colour red|blue] [--dry-run]',
  summary: 'Does the thing. '.repeat(12).trim(),
  options: {
    size: { type: 'string', value: 'N', help: 'how big' },
    colour: { type: 'string', value: 'red|blue', default: 'red', help: 'which colour' },
    'dry-run': { type: 'boolean', help: 'only say what it would do' },
  },
  notes: ['Environment: THING_HOME.'],
} as const
const check = (o: { size?: string; colour: string }) => ({ size: intOption('size', o.size, 1, 10, 3), colour: oneOf('colour', o.colour, ['red', 'blue'] as const) })

describe('defineCommand', () => {
  it('parses options, with defaults, into the values the check returns', () => {
    const r = run((io) => defineCommand(spec, io).parse(['--size', '7', '--dry-run']))
    expect(r.value).toEqual({ size: '7', colour: 'red', 'dry-run': true })
    expect(run((io) => defineCommand(spec, io).parse(['--size=4', '--colour', 'blue'], check)).value).toEqual({ size: 4, colour: 'blue' })
    expect(run((io) => defineCommand(spec, io).parse([], check)).value).toEqual({ size: 3, colour: 'red' })
  })

  it('--help and -h print the usage, the summary wrapped, every option and the notes to stdout, exit 0', () => {
    for (const flag of ['--help', '-h']) {
      const r = run((io) => defineCommand(spec, io).parse(['--size', '2', flag]))
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('')
      const lines = r.stdout.split('\n')
      expect(lines[0]).toBe(`Usage: ${spec.usage}`)
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100)
      expect(r.stdout).toContain('  --colour red|blue  which colour (default: red)\n')
      expect(r.stdout).toContain('  --dry-run          only say what it would do\n')
      expect(r.stdout).toMatch(/ {2}-h, --help {9}print this help and exit\n {2}--version {10}print the version and exit\n/)
      expect(r.stdout.trimEnd().endsWith('Environment: THING_HOME.')).toBe(true)
    }
  })

  it('--version prints the package version, exit 0', () => {
    const r = run((io) => defineCommand(spec, io).parse(['--version']))
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
    expect(packageVersion()).toBe(version)
    expect(r).toEqual({ code: 0, stdout: `povmap thing ${version}\n`, stderr: '' })
  })

  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['-x'], "unknown option '-x'"],
    [['stray'], "unexpected argument 'stray'"],
    [['--size'], '--size needs a value'],
    [['--size', '--dry-run'], '--size needs a value'],
    [['--dry-run=yes'], '--dry-run takes no value'],
    [['--size', 'big'], '--size must be a whole number, got "big"'],
    [['--size', '11'], '--size must be between 1 and 10'],
    [['--colour', 'green'], '--colour must be red or blue, got "green"'],
  ])('a usage error %j: one line naming it and a hint to --help on stderr, exit 2', (argv, problem) => {
    const r = run((io) => defineCommand(spec, io).parse(argv, check))
    expect(r).toEqual({ code: 2, stdout: '', stderr: `povmap: thing: ${problem}\nTry 'npm run thing -- --help'.\n` })
  })

  it('the hint has no npm separator for a command run directly', () => {
    const r = run((io) => defineCommand({ ...spec, command: 'npx tsx scripts/thing.ts' }, io).parse(['--bogus']))
    expect(r.stderr.split('\n')[1]).toBe("Try 'npx tsx scripts/thing.ts --help'.")
  })

  it('an error other than a UsageError in the check is not a usage error', () => {
    expect(() =>
      run((io) =>
        defineCommand(spec, io).parse([], () => {
          throw new Error('boom')
        }),
      ),
    ).toThrow('boom')
  })

  it('oneOf lists three or more choices', () => {
    expect(() => oneOf('role', 'king', ['a', 'b', 'c'])).toThrow(new UsageError('--role must be one of a, b, c, got "king"'))
  })
})
