/** Made-up but plausible names of rivers and reservoirs, unique within a run. */
import type { Rng } from '../rng.js'

/** First and second characters of made-up but plausible place names. */
const NAME_FIRST = [...'青白黄清石龙凤桃梅竹杉松枫柳茶沙金银铜马牛鹿鹤燕云月花兰莲长高东西南北新大小双三九安永宁太平仙灵紫碧岩潭田湾塘坪桐樟栗芦蒲乌麻杨']
const NAME_SECOND = [...'田坪冲坳塘湾岭山源岩洞桥口头家峰林坡潭滩洲港铺阳陵门关冈垄寨坝岗湖']

export interface Namer {
  /** A unique made-up river name; bigger streams are 河 or 水, small ones mostly 溪. */
  river(order: number): string
  reservoir(): string
  /** Marks a name as taken. */
  reserve(name: string): void
}

export function createNamer(rng: Rng): Namer {
  const taken = new Set<string>()
  const unique = (suffix: () => string): string => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const name = rng.pick(NAME_FIRST) + rng.pick(NAME_SECOND) + suffix()
      if (!taken.has(name)) {
        taken.add(name)
        return name
      }
    }
    // Practically unreachable with ~2 800 stems; a third character keeps the name unique anyway.
    const name = rng.pick(NAME_FIRST) + rng.pick(NAME_FIRST) + rng.pick(NAME_SECOND) + suffix()
    taken.add(name)
    return name
  }
  return {
    river: (order) =>
      unique(() =>
        order >= 4 ? rng.weighted(['河', '水', '江'], [5, 3, 1]) : order === 3 ? rng.weighted(['河', '水', '溪'], [6, 2, 2]) : rng.weighted(['溪', '河'], [7, 3]),
      ),
    reservoir: () => unique(() => '水库'),
    reserve: (name) => {
      taken.add(name)
    },
  }
}
