import cliProgress from 'cli-progress'
import type { Progress } from '../../geodata/progress.js'

export type { Progress }

const FORMAT = '{title} [{bar}] {percentage}% {value}/{total} {label}'

/** Plain lines for logs and pipes: one every 10 % and at the end, never one per tick. */
function lineProgress(title: string, total: number, stream: NodeJS.WritableStream): Progress {
  let lastPct = -1
  const started = Date.now()
  return {
    update(done, label = '') {
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100
      if (pct >= lastPct + 10 || done === total) {
        lastPct = pct
        stream.write(`${title}: ${pct}% (${done}/${total}) ${label} [${((Date.now() - started) / 1000).toFixed(1)} s]\n`)
      }
    },
    stop() {},
  }
}

/**
 * A progress bar on a terminal; plain lines elsewhere (CI logs, pipes), never one line per tick.
 */
export function progressBar(title: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return lineProgress(title, total, stream)
  const bar = new cliProgress.SingleBar({ format: FORMAT, hideCursor: true, stream, clearOnComplete: false }, cliProgress.Presets.shades_classic)
  bar.start(total, 0, { title, label: '' })
  return {
    update: (done, label = '') => bar.update(done, { label }),
    stop: () => bar.stop(),
  }
}

/**
 * Several bars drawn together, for tasks that run side by side (on a first start the database opens
 * while the demo data is generated); plain lines elsewhere. Lines logged while the bars are up go
 * through `log`, above them.
 */
export class ProgressBars {
  private readonly multi: cliProgress.MultiBar | undefined
  private readonly width: number

  constructor(
    titles: readonly string[],
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.width = Math.max(0, ...titles.map((t) => t.length))
    if (stream.isTTY) this.multi = new cliProgress.MultiBar({ format: FORMAT, hideCursor: true, stream, clearOnComplete: false }, cliProgress.Presets.shades_classic)
  }

  bar(title: string, total: number): Progress {
    if (!this.multi) return lineProgress(title, total, this.stream)
    const bar = this.multi.create(total, 0, { title: title.padEnd(this.width), label: '' })
    // A finished bar stays drawn with the others until they all stop.
    return { update: (done, label = '') => bar.update(done, { label }), stop() {} }
  }

  log(line: string): void {
    if (this.multi) this.multi.log(`${line}\n`)
    else this.stream.write(`${line}\n`)
  }

  stop(): void {
    this.multi?.stop()
  }
}
