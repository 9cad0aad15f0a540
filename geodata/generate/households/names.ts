/** Names and ethnicity by county: surnames per ethnic group, given names by sex and generation. */
import type { Rng } from '../rng.js'
import type { Ethnicity } from './codes.js'

type Profile = Partial<Record<Ethnicity, number>>

const COUNTY_ETHNICITY: Record<string, Profile> = {
  '433101': { tujia: 40, miao: 35, han: 25 },
  '433122': { miao: 40, tujia: 30, han: 30 },
  '433123': { miao: 55, tujia: 20, han: 25 },
  '433124': { miao: 77, tujia: 8, han: 15 },
  '433125': { tujia: 50, miao: 35, han: 15 },
  '433126': { tujia: 45, miao: 40, han: 15 },
  '433127': { tujia: 75, miao: 5, han: 20 },
  '433130': { tujia: 60, miao: 5, han: 35 },
  '430802': { tujia: 65, bai: 4, han: 31 },
  '430811': { tujia: 60, han: 40 },
  '430821': { tujia: 55, han: 45 },
  '430822': { tujia: 50, bai: 20, han: 30 },
  '430726': { tujia: 50, han: 50 },
  '431222': { tujia: 25, miao: 15, han: 60 },
  '431225': { dong: 50, miao: 15, han: 35 },
  '431226': { miao: 70, han: 30 },
  '431227': { dong: 80, han: 20 },
  '431228': { dong: 55, han: 45 },
  '431229': { miao: 45, dong: 30, han: 25 },
  '431230': { dong: 75, miao: 5, han: 20 },
  '431281': { dong: 10, miao: 10, han: 80 },
  '431129': { yao: 65, han: 35 },
  '431125': { yao: 50, han: 50 },
  '431126': { yao: 10, han: 90 },
  '431127': { yao: 15, han: 85 },
  '430529': { miao: 55, dong: 5, yao: 5, han: 35 },
  '430527': { miao: 35, dong: 20, han: 45 },
  '431022': { yao: 5, han: 95 },
}
const DEFAULT_PROFILE: Profile = { han: 97, tujia: 1, miao: 1, hui: 0.5, zhuang: 0.5 }

export function ethnicityOf(county: string, rng: Rng): Ethnicity {
  const p = COUNTY_ETHNICITY[county] ?? DEFAULT_PROFILE
  const keys = Object.keys(p) as Ethnicity[]
  return rng.weighted(keys, keys.map((k) => p[k]!))
}

const SURNAMES: Record<Ethnicity, [string, number][]> = {
  han: [['刘', 8], ['李', 8], ['王', 7], ['陈', 7], ['张', 6], ['周', 5], ['唐', 5], ['彭', 4], ['谭', 4], ['罗', 4], ['胡', 4], ['曾', 4], ['黄', 4], ['杨', 4], ['邓', 4], ['蒋', 3], ['肖', 3], ['欧阳', 1], ['段', 2], ['贺', 2], ['廖', 2], ['龙', 1], ['吴', 3], ['易', 2], ['谢', 2], ['朱', 2], ['何', 2], ['许', 1], ['汤', 1], ['戴', 1], ['雷', 1], ['袁', 2], ['文', 1], ['钟', 1]],
  tujia: [['彭', 10], ['田', 9], ['向', 9], ['覃', 6], ['王', 5], ['张', 5], ['李', 5], ['冉', 3], ['鲁', 2], ['谢', 2], ['龚', 2], ['黄', 3], ['杨', 3], ['宋', 2], ['舒', 2], ['符', 1], ['瞿', 1]],
  miao: [['石', 10], ['龙', 10], ['吴', 9], ['麻', 7], ['杨', 6], ['施', 5], ['田', 4], ['廖', 3], ['隆', 3], ['滕', 2], ['张', 2], ['梁', 2], ['时', 1], ['欧', 1], ['秧', 1]],
  dong: [['杨', 10], ['吴', 9], ['龙', 6], ['石', 5], ['粟', 5], ['欧', 3], ['姚', 3], ['陆', 2], ['胡', 2], ['蒲', 2], ['舒', 2]],
  yao: [['盘', 10], ['赵', 8], ['邓', 7], ['李', 5], ['冯', 4], ['黄', 4], ['奉', 4], ['唐', 3], ['任', 2], ['郑', 2], ['沈', 2]],
  bai: [['王', 8], ['谷', 6], ['钟', 6], ['熊', 5], ['李', 4], ['张', 3], ['杜', 3]],
  hui: [['马', 10], ['海', 3], ['沙', 3], ['翦', 2], ['丁', 2]],
  zhuang: [['韦', 8], ['覃', 6], ['黄', 5], ['陆', 3], ['蒙', 3]],
}
export const SURNAME_LISTS = Object.fromEntries(
  Object.entries(SURNAMES).map(([k, list]) => [k, { names: list.map((x) => x[0]), weights: list.map((x) => x[1]) }]),
) as Record<Ethnicity, { names: string[]; weights: number[] }>

export const GIVEN = {
  maleOld: [...'德明国华建军平福贵生荣祥林成春富永金正学文光海云清忠和发顺有昌进才志茂玉'],
  femaleOld: [...'秀英兰桂芳玉珍梅凤莲花翠香菊琴云春娥素淑月娟英芝彩'],
  maleYoung: [...'伟强勇杰涛鹏宇浩俊飞斌龙波超刚辉峰磊鑫博文轩子豪睿航宏明阳'],
  femaleYoung: [...'丽燕萍婷丹倩慧娜雪妮欣怡琳敏静艳霞佳雨晴梦瑶涵思颖蕾'],
}

export function givenName(sex: 'M' | 'F', birthYear: number, rng: Rng, generation?: string): string {
  const young = birthYear >= 1975
  const pool = sex === 'M' ? (young ? GIVEN.maleYoung : GIVEN.maleOld) : young ? GIVEN.femaleYoung : GIVEN.femaleOld
  if (generation) return generation + rng.pick(pool)
  if (rng.chance(young ? 0.3 : 0.15)) return rng.pick(pool)
  return rng.pick(pool) + rng.pick(pool)
}
