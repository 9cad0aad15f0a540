/** What a division's name says about it. */
/** 街道 (urban street office). */
export function isStreetOffice(name: string): boolean {
  return name.endsWith('街道')
}

/** 社区 / 居委会: an urban residents' committee rather than a village (村). */
export function isCommunity(name: string): boolean {
  return /社区|居委会|居民委员会/.test(name)
}
