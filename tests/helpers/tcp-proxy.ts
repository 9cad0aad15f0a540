import net from 'node:net'

/** A TCP forwarder that can cut every connection and refuse new ones: the database "going down". */
export async function startTcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>()
  let up = true
  const server = net.createServer((client) => {
    if (!up) return client.destroy()
    const upstream = net.connect(target.port, target.host)
    sockets.add(client).add(upstream)
    client.pipe(upstream).pipe(client)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    down() {
      up = false
      for (const s of sockets) s.destroy()
    },
    up() {
      up = true
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
