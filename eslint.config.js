import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'
import boundaries from 'eslint-plugin-boundaries'

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'test-artifacts/**', 'geodata/sources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser }, globals: globals.browser },
  },
  { files: ['client/**/*.ts'], languageOptions: { globals: globals.browser } },
  { files: ['server/**', 'tests/**', 'scripts/**', 'geodata/**', 'tiles/**', '*.ts', '*.js'], languageOptions: { globals: globals.node } },
  {
    // The domain vocabulary and API schemas are shared by the server and the browser: no runtime's APIs.
    files: ['domain/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!typebox$|\\.{1,2}/)', message: 'domain/ imports only typebox and its own modules' }] }],
      'no-restricted-globals': ['error', ...['process', 'Buffer', 'require', 'module', '__dirname', '__filename', 'window', 'document', 'navigator', 'localStorage', 'fetch'].map((name) => ({ name, message: 'domain/ is environment-neutral' }))],
    },
  },
  {
    // Data flows one way (conventions.md): domain → geodata → tiles → server → client, with the server's
    // infrastructure (database, migrations, HTTP, config) below its capabilities. An import from a lower
    // layer to a higher one fails the lint, and so CI.
    files: ['domain/**', 'geodata/**', 'tiles/**', 'server/**', 'client/**'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { project: ['tsconfig.json', 'tsconfig.client.json'], noWarnOnMultipleProjects: true } },
      'boundaries/include': ['domain/**', 'geodata/**', 'tiles/**', 'server/**', 'client/**'],
      'boundaries/elements': [
        // Patterns from the project root (partialMatch: false): server/tiles is the server's, tiles/ the declarations.
        { type: 'server-infra', pattern: ['server/db', 'server/migrations', 'server/http', 'server/infra'], partialMatch: false },
        { type: 'server', pattern: 'server', partialMatch: false },
        { type: 'client', pattern: 'client', partialMatch: false },
        { type: 'domain', pattern: 'domain', partialMatch: false },
        { type: 'geodata', pattern: 'geodata', partialMatch: false },
        { type: 'tiles', pattern: 'tiles', partialMatch: false },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            { from: { element: { type: 'domain' } }, allow: { to: { element: { type: 'domain' } } } },
            { from: { element: { type: 'geodata' } }, allow: { to: { element: { types: { anyOf: ['domain', 'geodata'] } } } } },
            { from: { element: { type: 'tiles' } }, allow: { to: { element: { types: { anyOf: ['domain', 'tiles'] } } } } },
            { from: { element: { type: 'server-infra' } }, allow: { to: { element: { types: { anyOf: ['domain', 'geodata', 'server-infra'] } } } } },
            { from: { element: { type: 'server' } }, allow: { to: { element: { types: { anyOf: ['domain', 'geodata', 'tiles', 'server-infra', 'server'] } } } } },
            { from: { element: { type: 'client' } }, allow: { to: { element: { types: { anyOf: ['domain', 'tiles', 'client'] } } } } },
          ],
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
    },
  },
)
