import { describe, expect, it } from 'vitest'
import { progressBar, ProgressBars } from '../../server/infra/progress.js'

/** A stream that is not a terminal (CI logs, pipes), keeping what is written. */
function pipe(): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = []
  return { isTTY: false, write: (s: string) => (chunks.push(s), true), text: () => chunks.join('') } as unknown as NodeJS.WriteStream & { text: () => string }
}

describe('progress', () => {
  it('progressBar off a terminal: a line per 10 %, not one per tick', () => {
    const out = pipe()
    const bar = progressBar('loading', 1000, out)
    for (let i = 1; i <= 1000; i++) bar.update(i, 'member')
    bar.stop()
    const lines = out.text().trim().split('\n')
    expect(lines.length).toBe(11) // 0 %, 10 %, … 100 %
    expect(lines.at(-1)).toMatch(/^loading: 100% \(1000\/1000\) member/)
  })

  it('ProgressBars off a terminal: each bar in its own lines, logged lines in between', () => {
    const out = pipe()
    const bars = new ProgressBars(['database', 'generating'], out)
    const db = bars.bar('database', 3)
    const gen = bars.bar('generating', 100)
    gen.update(50, 'partition')
    db.update(3, 'ready')
    bars.log('povmap: migrations: 11 applied now')
    gen.update(100, 'done')
    bars.stop()
    expect(out.text().split('\n').filter(Boolean).map((l) => l.replace(/ \[[\d.]+ s\]$/, ''))).toEqual([
      'generating: 50% (50/100) partition',
      'database: 100% (3/3) ready',
      'povmap: migrations: 11 applied now',
      'generating: 100% (100/100) done',
    ])
  })
})
