import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN.js'
import en from './en.js'

/** Chinese by default, English switchable (the URL's lang and the title bar button). */
export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})
