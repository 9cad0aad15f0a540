// The server-side type check (tsconfig.json) does not see client/src/env.d.ts: component tests import .vue files.
declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
