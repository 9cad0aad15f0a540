/** Work-screen names (title-bar buttons, drawer title), under the top-level key 'workspace'. */
export const zhCN = {
  households: '贫困户',
  reviews: '审核',
  identification: '识别研判',
  crosschecks: '数据比对',
  siting: '选址',
  reports: '报表与导入导出',
  accounts: '账号管理',
  close: '关闭',
  comingSoon: '即将提供',
}
export const en: typeof zhCN = {
  households: 'Households',
  reviews: 'Reviews',
  identification: 'Identification',
  crosschecks: 'Cross-checks',
  siting: 'Siting',
  reports: 'Reports & data',
  accounts: 'Accounts',
  close: 'Close',
  comingSoon: 'Coming soon',
}
