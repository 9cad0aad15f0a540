import { beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../../../server/infra/paths.js'

/**
 * Every command someone runs — each package.json script that runs a file of this repository, each
 * file of scripts/, the load generator of bench:tiles — answers --help and --version and refuses an
 * unknown option alike (server/cli/args.js), and README.md's command table shows each one's usage
 * exactly as its --help does. No database: each command answers before opening one.
 */
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string> }
/** `node [--flags] FILE` or `tsx FILE`: a script that runs one of the repository's files. */
const RUNS_FILE = /^(?:node|tsx)(?: --\S+)* ((?:scripts|server|bench)\/\S+\.(?:ts|mjs))$/
/** Files of scripts/ that other files import and nobody runs. */
const MODULES = ['scripts/build-if-needed.mjs']

interface Command {
  file: string
  /** The package.json script that runs it. */
  script?: string
}
const fromScripts: Command[] = Object.entries(pkg.scripts).flatMap(([script, line]) => {
  const file = RUNS_FILE.exec(line)?.[1]
  return file ? [{ file, script }] : []
})
const others: Command[] = [
  ...readdirSync(join(repoRoot, 'scripts'))
    .map((f) => `scripts/${f}`)
    .filter((f) => /\.(ts|mjs)$/.test(f) && !MODULES.includes(f)),
  'bench/load-client.ts',
]
  .filter((file) => !fromScripts.some((c) => c.file === file))
  .map((file) => ({ file }))
const COMMANDS = [...fromScripts, ...others]

interface Answer {
  code: number | null
  stdout: string
  stderr: string
}
function runCommand(file: string, args: string[]): Promise<Answer> {
  const argv = file.endsWith('.ts') ? ['--import', 'tsx', file, ...args] : [file, ...args]
  return new Promise((resolve) => {
    // Nothing to connect to, should a command get past its line by mistake.
    const env = { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DATA_DIR: join(repoRoot, '.vitest-tmp', 'no-data-dir') }
    execFile(process.execPath, argv, { cwd: repoRoot, env, timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    )
  })
}

/** The flags a usage line or an options table names, --help and --version aside. */
const flagsIn = (text: string) => [...new Set(text.match(/--[a-z][a-z0-9-]*/g) ?? [])].filter((f) => f !== '--help' && f !== '--version').sort()

/** The first column of README.md's command table, `\|` unescaped. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('\n## Commands\n'), readme.indexOf('\n## ', readme.indexOf('\n## Commands\n') + 1))
  return [...section.matchAll(/^\| `((?:[^`])+)` \|/gm)].map((m) => m[1]!.replace(/\\\|/g, '|'))
}

describe('every command', () => {
  const answers = new Map<string, { help: Answer; version: Answer; unknown: Answer }>()

  beforeAll(async () => {
    // Three at a time: each loads its part of the server through tsx.
    const queue = [...COMMANDS]
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const [help, version, unknown] = [await runCommand(c.file, ['--help']), await runCommand(c.file, ['--version']), await runCommand(c.file, ['--no-such-option'])]
          answers.set(c.file, { help, version, unknown })
        }
      }),
    )
  }, 300_000)

  it('are found: the scripts of package.json that run a file, and the files of scripts/', () => {
    expect(COMMANDS.map((c) => c.script ?? c.file)).toEqual(expect.arrayContaining(['start', 'dev', 'migrate', 'load', 'tiles:seed', 'bench:tiles', 'bench:client', 'scripts/chaos-db-restart.ts', 'scripts/dev-fixture.ts']))
  })

  it.each(COMMANDS.map((c) => [c.script ?? c.file, c] as const))('%s: --help prints the usage and every option to stdout, exit 0', (_, c) => {
    const { help } = answers.get(c.file)!
    expect(help.stderr).toBe('')
    expect(help.code).toBe(0)
    const [first, ...rest] = help.stdout.split('\n')
    expect(first).toMatch(/^Usage: \S/)
    const usage = first!.slice('Usage: '.length)
    if (c.script) expect(usage).toMatch(new RegExp(`^npm ${c.script === 'start' ? 'start' : `run ${c.script}`}( -- |$)`))
    // The usage line names every option the command takes, and no other.
    const options = rest.join('\n').split('\nOptions:\n')[1]!.split('\n\n')[0]!
    expect(flagsIn(usage)).toEqual(flagsIn(options))
    expect(options).toMatch(/-h, --help .*\n {2}--version /)
  })

  it.each(COMMANDS.map((c) => [c.script ?? c.file, c] as const))('%s: --version prints the version, exit 0', (_, c) => {
    const { version } = answers.get(c.file)!
    expect(version).toEqual({ code: 0, stdout: expect.stringMatching(new RegExp(`^povmap ${c.script ?? '\\S+'} ${pkg.version.replace(/\./g, '\\.')}\n$`)), stderr: '' })
  })

  it.each(COMMANDS.map((c) => [c.script ?? c.file, c] as const))('%s: an unknown option is one line and a hint on stderr, exit 2', (_, c) => {
    const { unknown, help } = answers.get(c.file)!
    expect(unknown.stdout).toBe('')
    expect(unknown.code).toBe(2)
    const lines = unknown.stderr.split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/^povmap: \S+: unknown option '--no-such-option'$/)
    expect(lines[2]).toBe('')
    // The hint runs the command as its usage line does.
    const hinted = /^Try '(.+?)(?: --)? --help'\.$/.exec(lines[1]!)?.[1]
    expect(hinted).toBeDefined()
    expect(help.stdout).toContain(hinted!)
  })

  it('README.md shows each command’s usage line as its --help does, and every command someone runs', () => {
    const rows = readmeCommands()
    const usages = COMMANDS.filter((c) => c.file !== 'bench/load-client.ts').map((c) => answers.get(c.file)!.help.stdout.split('\n')[0]!.slice('Usage: '.length))
    expect(rows).toEqual(expect.arrayContaining(usages))
    // A row that names one of these commands shows its whole usage line (no stale flags).
    for (const row of rows) {
      const usage = usages.find((u) => row.split(' -- ')[0] === u.split(' -- ')[0])
      if (usage) expect(row).toBe(usage)
    }
  })
})
