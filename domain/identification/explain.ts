/**
 * The household's "why (not) poor" in words, Chinese and English: one sentence per AF indicator from
 * its value, and the verdicts of both rules. Pure, so the server answers it and tests read it.
 */
export interface Words {
  zh: string
  en: string
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`
const yuan = (x: number) => Math.round(x).toLocaleString('en-US')

export interface IndicatorFacts {
  code: string
  value: number | null
  deprived: boolean
  income?: number
  line?: number | null
}

/** One sentence about one AF indicator of a household (deprived or not). */
export function explainIndicator(f: IndicatorFacts): Words {
  const v = f.value ?? 0
  switch (f.code) {
    case 'af_income':
      return f.deprived
        ? { zh: `人均纯收入${yuan(f.income ?? 0)}元，低于当年贫困线${yuan(f.line ?? 0)}元`, en: `income ${yuan(f.income ?? 0)} yuan per person, under the year's line of ${yuan(f.line ?? 0)}` }
        : { zh: `人均纯收入${yuan(f.income ?? 0)}元，不低于贫困线${yuan(f.line ?? 0)}元`, en: `income ${yuan(f.income ?? 0)} yuan per person, not under the line of ${yuan(f.line ?? 0)}` }
    case 'af_water_quantity':
      return f.deprived ? { zh: '饮水水量不足', en: 'not enough drinking water' } : { zh: '饮水水量达标', en: 'enough drinking water' }
    case 'af_water_quality':
      return f.deprived ? { zh: '饮水水质不达标（未经处理的井水或河湖水）', en: 'drinking water untreated (open well, river or lake)' } : { zh: '饮水水质达标', en: 'drinking water quality meets the standard' }
    case 'af_water_convenience':
      return f.deprived ? { zh: '取水不便（需到户外远处取水）', en: 'water fetched from outside the home' } : { zh: '取水方便', en: 'water at hand' }
    case 'af_water_reliability':
      return f.deprived ? { zh: '供水无保障（依赖雨水或季节性水源）', en: 'water depends on rain or a seasonal source' } : { zh: '供水有保障', en: 'reliable water supply' }
    case 'af_clothing':
      return f.deprived ? { zh: '吃穿未达到不愁标准', en: 'food and clothing not assured' } : { zh: '不愁吃、不愁穿', en: 'food and clothing assured' }
    case 'af_schooling':
      return f.deprived
        ? { zh: `义务教育未保障（失学辍学或登记未保障，计${v}）`, en: `compulsory education not assured (children out of school or so registered: ${v})` }
        : { zh: '义务教育有保障', en: 'compulsory education assured' }
    case 'af_insurance':
      return f.deprived ? { zh: `${v}名成员未参加基本医疗保险`, en: `${v} member(s) without basic medical insurance` } : { zh: '成员均参加基本医疗保险', en: 'every member insured' }
    case 'af_chronic_care':
      return f.deprived ? { zh: `${v}名慢病/大病成员未得到基本医疗保障`, en: `${v} chronically or seriously ill member(s) without basic care` } : { zh: '基本医疗有保障', en: 'basic medical care assured' }
    case 'af_housing': {
      const rating = ['A', 'B', 'C', 'D'][Math.min(3, Math.max(0, Math.round(v) - 1))]
      return f.deprived ? { zh: `住房鉴定为${rating}级危房`, en: `house appraised ${rating} (unsafe)` } : { zh: `住房安全（${rating}级）`, en: `house safe (rated ${rating})` }
    }
    default:
      return f.deprived ? { zh: `${f.code}：有剥夺（${v}）`, en: `${f.code}: deprived (${v})` } : { zh: `${f.code}：无剥夺`, en: `${f.code}: not deprived` }
  }
}

const GAP_WORDS: Record<string, Words> = {
  income: { zh: '收入低于贫困线', en: 'income under the poverty line' },
  food_clothing: { zh: '吃穿未保障', en: 'food and clothing not assured' },
  education: { zh: '义务教育未保障', en: 'compulsory education not assured' },
  medical: { zh: '基本医疗未保障', en: 'basic medical care not assured' },
  housing: { zh: '住房安全未保障', en: 'housing not safe' },
  water: { zh: '饮水安全未保障', en: 'drinking water not safe' },
}
export const explainGap = (code: string): Words => GAP_WORDS[code] ?? { zh: code, en: code }

/** The verdict of the AF rule: the score against k. */
export function afVerdict(score: number, k: number, poor: boolean): Words {
  return poor
    ? { zh: `多维贫困：加权剥夺得分${pct(score)}，达到临界值k=${pct(k)}`, en: `multidimensionally poor: weighted deprivation score ${pct(score)} reaches k = ${pct(k)}` }
    : { zh: `非多维贫困：加权剥夺得分${pct(score)}，低于临界值k=${pct(k)}`, en: `not multidimensionally poor: score ${pct(score)} is below k = ${pct(k)}` }
}

/** The verdict of the official rule (两不愁三保障 and the income line). */
export function officialVerdict(gaps: readonly string[]): Words {
  if (gaps.length === 0) return { zh: '按现行标准：收入达标且两不愁三保障均已实现，可退出', en: 'official rule: income above the line and every assurance met, may exit' }
  const w = gaps.map(explainGap)
  return { zh: `按现行标准未脱贫：${w.map((x) => x.zh).join('；')}`, en: `official rule, not exited: ${w.map((x) => x.en).join('; ')}` }
}
