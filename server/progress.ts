import cliProgress from 'cli-progress'

export interface Progress {
  /** A step of a known total (rows loaded, stages done). */
  update(done: number, label?: string): void
  stop(): void
}

/**
 * A progress bar on a terminal; plain lines elsewhere (CI logs, pipes), never one line per tick.
 */
export function progressBar(title: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${title} [{bar}] {percentage}% {value}/{total} {label}`, hideCursor: true, stream, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    )
    bar.start(total, 0, { label: '' })
    return {
      update: (done, label = '') => bar.update(done, { label }),
      stop: () => bar.stop(),
    }
  }
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
