import { describe, expect, it } from 'vitest'
import { ESLint } from 'eslint'

// The layering rule of eslint.config.js, tried on probe files that are linted as if they stood at
// these paths (nothing is written): an import up the data flow is an error, one down it is not.
const eslint = new ESLint()
const ruleErrors = async (filePath: string, code: string) => {
  const [result] = await eslint.lintText(code, { filePath })
  return result!.messages.filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message)
}

describe('layers: imports run down the data flow only', () => {
  it.each([
    ['domain/probe.ts', "import { buildApp } from '../server/app.js'\nexport const x = buildApp\n"],
    ['domain/probe.ts', "import { LAYERS } from '../tiles/registry.js'\nexport const x = LAYERS\n"],
    ['geodata/probe.ts', "import { loadConfig } from '../server/infra/config.js'\nexport const x = loadConfig\n"],
    ['tiles/probe.ts', "import { buildApp } from '../server/app.js'\nexport const x = buildApp\n"],
    ['server/db/probe.ts', "import { buildApp } from '../app.js'\nexport const x = buildApp\n"],
    ['client/src/probe.ts', "import { buildApp } from '../../server/app.js'\nexport const x = buildApp\n"],
  ])('%s may not import %#', async (filePath, code) => {
    expect(await ruleErrors(filePath, code)).toEqual([expect.stringMatching(/no policy allowing/)])
  })

  it.each([
    ['server/app-probe.ts', "import { ROLES } from '../domain/roles.js'\nimport { LAYERS } from '../tiles/registry.js'\nexport const x = [ROLES, LAYERS]\n"],
    ['tiles/probe.ts', "import { ROLES } from '../domain/roles.js'\nexport const x = ROLES\n"],
    ['client/src/probe.ts', "import { LAYERS } from '../../tiles/registry.js'\nexport const x = LAYERS\n"],
  ])('%s may import down the flow %#', async (filePath, code) => {
    expect(await ruleErrors(filePath, code)).toEqual([])
  })
})
