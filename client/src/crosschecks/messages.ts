/** Messages of this capability's screens, under the top-level key 'crosschecks' (merged in i18n/index.ts). */
export const zhCN = {}
export const en: typeof zhCN = {}
