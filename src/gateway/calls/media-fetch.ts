import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { Agent, fetch } from 'undici'

/**
 * Fetching an image a client named by URL, for providers that take only bytes (Gemini, Vertex,
 * Bedrock), as the AI SDK's own `generateText` would — but safe to run on a server: a client must
 * not make the gateway read its private network (SSRF). Only `https:`; every address a name
 * resolves to is checked at connect time (so DNS rebinding and redirects to a private address are
 * refused too); a size cap, a timeout, and the answer must be an image or audio. `allowPrivate`
 * (`AI_MEDIA_FETCH=any`) lifts the address and scheme checks for trusted intranets and tests.
 */
export type MediaFetcher = (url: URL, signal: AbortSignal) => Promise<{ data: Uint8Array; mediaType: string }>

export type MediaFetchOptions = {
  allowPrivate: boolean
  maxBytes: number
  timeoutMs: number
}

export class MediaFetchError extends Error {
  override name = 'MediaFetchError'
}

/** Addresses a public URL must not reach: loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved. */
const PRIVATE = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6')

/** Whether an address is one a public fetch must not reach (IPv4-mapped IPv6 is checked as IPv4). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
  if (mapped) return PRIVATE.check(mapped, 'ipv4')
  const family = isIP(address)
  if (family === 0) return true
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

/** `dns.lookup` that fails for private addresses: used by the connection itself, so the address checked is the one dialled. */
const publicLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0)
    const list = Array.isArray(addresses) ? addresses : []
    const blocked = list.find((a) => isPrivateAddress(a.address))
    if (blocked || list.length === 0)
      return callback(
        Object.assign(
          new MediaFetchError(`${hostname} resolves to a private address (${blocked?.address ?? 'none'})`),
          {
            code: 'EPRIVATE',
          },
        ),
        '',
        0,
      )
    if ((options as { all?: boolean }).all)
      return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list)
    const first = list[0] as LookupAddress
    callback(null, first.address, first.family)
  })
}

const MAX_REDIRECTS = 3

export function createMediaFetcher(options: MediaFetchOptions): MediaFetcher {
  const dispatcher = new Agent({ connect: options.allowPrivate ? {} : { lookup: publicLookup } })
  const host = (url: URL) => url.hostname.replace(/^\[|\]$/g, '')
  const checkUrl = (url: URL) => {
    if (url.protocol !== 'https:' && !(options.allowPrivate && url.protocol === 'http:'))
      throw new MediaFetchError(`only https: URLs are fetched (got ${url.protocol})`)
    if (!options.allowPrivate && isIP(host(url)) && isPrivateAddress(host(url)))
      throw new MediaFetchError(`${url.hostname} is a private address`)
  }
  const get = async (url: URL, signal: AbortSignal, timeout: AbortSignal) => {
    try {
      return await fetch(url, {
        dispatcher,
        redirect: 'manual',
        signal: AbortSignal.any([signal, timeout]),
        headers: { accept: 'image/*, audio/*' },
      })
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause
      if (cause instanceof MediaFetchError) throw cause
      if (timeout.aborted) throw new MediaFetchError(`fetching ${url.host} took longer than ${options.timeoutMs} ms`)
      if (signal.aborted) throw error
      throw new MediaFetchError(
        `fetching ${url.host} failed: ${cause instanceof Error ? cause.message : String(error)}`,
      )
    }
  }
  return async (url, signal) => {
    const timeout = AbortSignal.timeout(options.timeoutMs)
    let target = url
    checkUrl(target)
    let response = await get(target, signal, timeout)
    // Redirects are followed (a few), each hop checked like the first.
    for (let hop = 0; response.status >= 300 && response.status < 400; hop++) {
      await response.body?.cancel()
      const location = response.headers.get('location')
      if (!location || hop === MAX_REDIRECTS)
        throw new MediaFetchError(`${target.host} answered a redirect (${response.status}) that was not followed`)
      target = new URL(location, target)
      checkUrl(target)
      response = await get(target, signal, timeout)
    }
    if (!response.ok) {
      await response.body?.cancel()
      throw new MediaFetchError(`${target.host} answered ${response.status}`)
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
    if (!/^(image|audio)\/[\w.+-]+$/.test(mediaType)) {
      await response.body?.cancel()
      throw new MediaFetchError(`${target.host} answered ${mediaType || 'no content type'}, not an image or audio`)
    }
    const declared = Number(response.headers.get('content-length') ?? 0)
    if (declared > options.maxBytes) {
      await response.body?.cancel()
      throw new MediaFetchError(`${target.host} answered ${declared} bytes; the limit is ${options.maxBytes}`)
    }
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of response.body ?? []) {
      size += (chunk as Uint8Array).byteLength
      if (size > options.maxBytes) throw new MediaFetchError(`${target.host} sent more than ${options.maxBytes} bytes`)
      chunks.push(chunk as Uint8Array)
    }
    return { data: Buffer.concat(chunks), mediaType }
  }
}
