/**
 * Prints HTML to an A4 PDF with Debian's Chromium (playwright-core; never a downloaded browser). One
 * browser per process, started on the first print and closed with the app; at most two pages print at
 * once, and each print has a deadline.
 */
import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run']

export class PdfUnavailableError extends Error {}

export class PdfPrinter {
  private browser: Promise<Browser> | null = null
  private running = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly opts: { concurrency?: number; timeoutMs?: number } = {}) {}

  private launch(): Promise<Browser> {
    if (!existsSync(CHROMIUM_PATH)) throw new PdfUnavailableError(`no Chromium at ${CHROMIUM_PATH}: PDF reports need Debian's chromium package`)
    this.browser ??= import('playwright-core').then(({ chromium }) => chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true }))
    this.browser.catch(() => (this.browser = null))
    return this.browser
  }

  async print(html: string): Promise<Buffer> {
    if (this.running >= (this.opts.concurrency ?? 2)) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.running++
    try {
      const browser = await this.launch()
      // A context of its own with no network: the page holds everything it shows.
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true })
      try {
        const page = await context.newPage()
        page.setDefaultTimeout(this.opts.timeoutMs ?? 30_000)
        await page.setContent(html, { waitUntil: 'load' })
        return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' } })
      } finally {
        await context.close()
      }
    } finally {
      this.running--
      this.waiting.shift()?.()
    }
  }

  async close(): Promise<void> {
    const b = this.browser
    this.browser = null
    if (b) await (await b.catch(() => null))?.close()
  }
}
