import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'

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
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
    },
  },
)
