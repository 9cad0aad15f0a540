import { BlockList, isIPv4 } from 'node:net'
import type { TrustProxy } from '../infra/config.js'

/** Loopback, link-local and private (RFC 1918, RFC 4193) ranges: where a proxy in front of povmap connects from. */
const NEARBY = new BlockList()
for (const [net, prefix] of [['127.0.0.0', 8], ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['169.254.0.0', 16]] as const) NEARBY.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) NEARBY.addSubnet(net, prefix, 'ipv6')

/** Whether an address is loopback, link-local or private (an IPv4-mapped IPv6 address as its IPv4). */
export function isNearbyAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address
  try {
    return NEARBY.check(v4, isIPv4(v4) ? 'ipv4' : 'ipv6')
  } catch {
    return false
  }
}

/**
 * Fastify's trustProxy for TRUST_PROXY. A list goes as it is (proxy-addr: addresses, CIDRs, loopback,
 * linklocal, uniquelocal). A number of hops becomes a function, because Fastify ignores a bare number:
 * it cannot tell a proxy from a client that connects directly and writes X-Forwarded-For itself. Here
 * the nearest hop is trusted only when it connects from a loopback or private address (where a proxy in
 * front of povmap sits), and the hops it reports behind it up to the count.
 */
export function trustProxyOption(tp: TrustProxy | undefined): false | string[] | ((address: string, hop: number) => boolean) {
  if (tp === undefined || tp === false) return false
  if (Array.isArray(tp)) return tp
  const hops = tp
  // proxy-addr asks about hop 0 (the socket's peer) first, then about each address from the right of
  // X-Forwarded-For, and stops at the first it does not trust: a later hop is asked about only when
  // the peer was trusted. Fastify asks about hop 0 alone for X-Forwarded-Proto and -Host.
  return (address, hop) => hop < hops && (hop > 0 || isNearbyAddress(address))
}
