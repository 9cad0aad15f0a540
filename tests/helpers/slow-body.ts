/**
 * A client that declares a large body and sends it slowly, over a raw socket: how much of the body it
 * had sent when the answer came says whether the server waited for the body before answering.
 *
 *   const r = await slowBody(port, { path: '/api/photos?area=…', declared: 8_000_000, headers: { 'content-type': 'image/jpeg' } })
 *   expect(r.status).toBe(401)
 *   expect(r.sentAtAnswer).toBeLessThan(r.declared / 4)
 */
import { connect } from 'node:net'

export interface SlowBodyResult {
  /** 0 when no answer came. */
  status: number
  headers: Record<string, string>
  body: string
  declared: number
  /** Body bytes sent when the first byte of the answer arrived (declared when none came before the end). */
  sentAtAnswer: number
}

export interface SlowBodyOptions {
  method?: string
  path: string
  headers?: Record<string, string>
  /** The Content-Length sent. */
  declared: number
  /** The first body bytes (the rest is zeros). */
  first?: Buffer
  /** Bytes per write and ms between writes: 64 KiB every 20 ms is ≈ 3.2 MB/s. */
  chunk?: number
  everyMs?: number
}

export function slowBody(port: number, o: SlowBodyOptions): Promise<SlowBodyResult> {
  const chunk = o.chunk ?? 64 * 1024
  const body = Buffer.alloc(chunk)
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let sent = 0
    let sentAtAnswer: number | null = null
    let response = Buffer.alloc(0)
    let timer: NodeJS.Timeout | undefined
    let done = false
    const finish = () => {
      if (done) return
      done = true
      clearInterval(timer)
      clearTimeout(safety)
      socket.destroy()
      const text = response.toString('utf8')
      const end = text.indexOf('\r\n\r\n')
      const [statusLine = '', ...lines] = (end < 0 ? '' : text.slice(0, end)).split('\r\n')
      const headers: Record<string, string> = {}
      for (const l of lines) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim()
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0) || 0, headers, body: end < 0 ? '' : text.slice(end + 4), declared: o.declared, sentAtAnswer: sentAtAnswer ?? sent })
    }
    const safety = setTimeout(finish, 30_000)
    socket.on('connect', () => {
      const head = [`${o.method ?? 'POST'} ${o.path} HTTP/1.1`, 'host: 127.0.0.1', `content-length: ${o.declared}`, ...Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}`)]
      socket.write(`${head.join('\r\n')}\r\n\r\n`)
      timer = setInterval(() => {
        if (sentAtAnswer !== null || sent >= o.declared) return clearInterval(timer)
        const n = Math.min(chunk, o.declared - sent)
        const piece = sent === 0 && o.first ? Buffer.concat([o.first, body]).subarray(0, n) : body.subarray(0, n)
        sent += n
        socket.write(piece)
      }, o.everyMs ?? 20)
    })
    socket.on('data', (d: Buffer) => {
      sentAtAnswer ??= sent
      response = Buffer.concat([response, d])
      const text = response.toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1]
      if (end >= 0 && length !== undefined && response.length >= end + 4 + Number(length)) finish()
    })
    // A server that closes the connection mid-body: what came until then is the answer.
    socket.on('error', finish)
    socket.on('close', finish)
  })
}
