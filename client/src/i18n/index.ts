import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN.js'
import en from './en.js'
import * as workspace from '../workspace/messages.js'
import * as registry from '../registry/messages.js'
import * as identification from '../identification/messages.js'
import * as siting from '../siting/messages.js'
import * as reports from '../reports/messages.js'
import * as accounts from '../accounts/messages.js'
import * as crosschecks from '../crosschecks/messages.js'

// Each capability keeps its screens' messages in its own folder, under its own top-level key.
const capabilities = { workspace, registry, identification, crosschecks, siting, reports, accountsAdmin: accounts }
const pick = (which: 'zhCN' | 'en') => Object.fromEntries(Object.entries(capabilities).map(([k, m]) => [k, m[which]]))

/** Chinese by default, English switchable (the URL's lang and the title bar button). */
export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': { ...zhCN, ...pick('zhCN') }, en: { ...en, ...pick('en') } },
})
