import type { Page } from 'playwright-core'
import { pct } from './percentile.js'

// In-page measurements of bench:client: frames, long tasks, input latency and event timing of one
// phase, the map's idle state, and the JS heap.

const r1 = (x: number) => Math.round(x * 10) / 10

/*
 * The page's globals used inside page.evaluate callbacks: they run in Chromium, but this file is
 * type-checked with the server's settings (no DOM library), so they are declared here.
 */
declare const window: { addEventListener(type: string, cb: (e: { timeStamp: number }) => void, opts: { capture: boolean; passive: boolean }): void }
declare function requestAnimationFrame(cb: (t: number) => void): number
declare const PerformanceObserver: new (cb: (list: { getEntries(): { duration: number }[] }) => void) => {
  observe(o: { type: string; durationThreshold?: number }): void
  disconnect(): void
}

export interface Phase {
  frames: number
  medianFrameMs: number
  p95FrameMs: number
  maxFrameMs: number
  longTasks: number
  longestTaskMs: number
  longTaskMsTotal: number
  inputs: number
  medianInputToFrameMs: number
  p95InputToFrameMs: number
  maxInputToFrameMs: number
  /** Event Timing: the longest input → next paint (events over 16 ms are reported). */
  maxEventDurationMs: number
}

/** Installs the in-page collectors (frames, long tasks, input latency, event timing) for one phase. */
export async function startPhase(page: Page) {
  await page.evaluate(() => {
    type Bench = { frames: number[]; longTasks: number[]; inputs: number[]; events: number[]; running: boolean; stop(): void }
    const w = window as unknown as { __bench?: Bench; __benchInputs?: boolean }
    const b: Bench = { frames: [], longTasks: [], inputs: [], events: [], running: true, stop: () => {} }
    let last = performance.now()
    const tick = (t: number) => {
      if (!b.running) return
      b.frames.push(t - last)
      last = t
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
    const lt = new PerformanceObserver((l) => l.getEntries().forEach((e) => b.longTasks.push(e.duration)))
    lt.observe({ type: 'longtask' })
    const ev = new PerformanceObserver((l) => l.getEntries().forEach((e) => b.events.push(e.duration)))
    ev.observe({ type: 'event', durationThreshold: 16 })
    b.stop = () => {
      b.running = false
      lt.disconnect()
      ev.disconnect()
    }
    w.__bench = b
    if (!w.__benchInputs) {
      w.__benchInputs = true
      // Input → the next animation frame: how long a drag step, wheel notch or key waits to be drawn.
      for (const type of ['pointermove', 'wheel', 'keydown']) {
        window.addEventListener(
          type,
          (e) => {
            const t0 = e.timeStamp
            requestAnimationFrame(() => w.__bench?.running && w.__bench.inputs.push(performance.now() - t0))
          },
          { capture: true, passive: true },
        )
      }
    }
  })
}

export async function endPhase(page: Page): Promise<Phase> {
  // Let the last animation and tile loads finish inside the phase.
  await page.waitForTimeout(400)
  const raw = await page.evaluate(() => {
    const b = (window as unknown as { __bench: { frames: number[]; longTasks: number[]; inputs: number[]; events: number[]; stop(): void } }).__bench
    b.stop()
    return { frames: b.frames.slice(1), longTasks: b.longTasks, inputs: b.inputs, events: b.events }
  })
  return {
    frames: raw.frames.length,
    medianFrameMs: r1(pct(raw.frames, 50)),
    p95FrameMs: r1(pct(raw.frames, 95)),
    maxFrameMs: r1(Math.max(0, ...raw.frames)),
    longTasks: raw.longTasks.length,
    longestTaskMs: r1(Math.max(0, ...raw.longTasks)),
    longTaskMsTotal: r1(raw.longTasks.reduce((s, x) => s + x, 0)),
    inputs: raw.inputs.length,
    medianInputToFrameMs: r1(pct(raw.inputs, 50)),
    p95InputToFrameMs: r1(pct(raw.inputs, 95)),
    maxInputToFrameMs: r1(Math.max(0, ...raw.inputs)),
    maxEventDurationMs: r1(Math.max(0, ...raw.events)),
  }
}

/** The map has stopped and drawn every tile of the view. */
export async function settled(page: Page) {
  await page.waitForFunction(
    () => {
      const m = (window as unknown as { __povmap?: { map: { isMoving(): boolean; loaded(): boolean } } }).__povmap?.map
      return !!m && !m.isMoving() && m.loaded()
    },
    undefined,
    { timeout: 120_000, polling: 100 },
  )
}

export async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  const { metrics } = await cdp.send('Performance.getMetrics')
  await cdp.detach()
  return r1((metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 2 ** 20)
}

