import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root, found by walking up to package.json so that source (server/) and build (dist/server/) agree. */
function findRoot(start: string): string {
  let dir = start
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`povmap: cannot find the repository root above ${start}`)
    dir = parent
  }
}

export const repoRoot = findRoot(dirname(fileURLToPath(import.meta.url)))
export const migrationsDir = join(repoRoot, 'migrations')
export const clientDistDir = join(repoRoot, 'dist', 'client')

export function resolveFromRoot(p: string): string {
  return resolve(repoRoot, p)
}
