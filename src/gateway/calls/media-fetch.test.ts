import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMediaFetcher, isPrivateAddress, MediaFetchError } from './media-fetch.ts'

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

describe('isPrivateAddress', () => {
  it('refuses loopback, private, link-local (cloud metadata), CGNAT, ULA, multicast and mapped forms', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      '::ffff:7f00:1',
      '0:0:0:0:0:ffff:127.0.0.1',
      'not-an-ip',
    ])
      expect(isPrivateAddress(address), address).toBe(true)
  })
  it('lets public addresses through', () => {
    for (const address of ['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(address), address).toBe(false)
  })
})

describe('createMediaFetcher', () => {
  let server: Server
  let base: string
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/a.png') res.writeHead(200, { 'content-type': 'image/png; charset=binary' }).end(PNG)
      else if (req.url === '/hop') res.writeHead(301, { location: '/a.png' }).end()
      else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end()
      else if (req.url === '/big') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(5_000))
      else if (req.url === '/declared')
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': '5000' }).end(Buffer.alloc(5_000))
      else if (req.url === '/text') res.writeHead(200, { 'content-type': 'text/plain' }).end('hi')
      else if (req.url === '/slow')
        setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG), 2_000)
      else res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(() => new Promise((resolve) => server.close(resolve)))

  const signal = () => new AbortController().signal
  const open = createMediaFetcher({ allowPrivate: true, maxBytes: 1_000, timeoutMs: 500 })
  const strict = createMediaFetcher({ allowPrivate: false, maxBytes: 1_000, timeoutMs: 500 })
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => 'fetched',
      (error: unknown) => (error instanceof MediaFetchError ? error.message : `other: ${String(error)}`),
    )

  it('fetches an image with its media type, following a redirect', async () => {
    expect(await open(new URL(`${base}/a.png`), signal())).toEqual({ data: PNG, mediaType: 'image/png' })
    expect((await open(new URL(`${base}/hop`), signal())).data).toEqual(PNG)
  })

  it('refuses what is not an image, too big, missing, too slow, or redirects forever', async () => {
    expect(await refusal(open(new URL(`${base}/text`), signal()))).toContain('text/plain, not an image')
    // Chunked (no content-length): counted as it arrives.
    expect(await refusal(open(new URL(`${base}/big`), signal()))).toContain('sent more than 1000 bytes')
    expect(await refusal(open(new URL(`${base}/declared`), signal()))).toContain('5000 bytes; the limit is 1000')
    expect(await refusal(open(new URL(`${base}/nope`), signal()))).toContain('answered 404')
    expect(await refusal(open(new URL(`${base}/slow`), signal()))).toContain('longer than 500 ms')
    expect(await refusal(open(new URL(`${base}/loop`), signal()))).toContain('redirect (302) that was not followed')
  })

  it('by default reaches only public https hosts: plain http, private literals and names that resolve privately are refused', async () => {
    expect(await refusal(strict(new URL(`${base}/a.png`), signal()))).toContain('only https:')
    expect(await refusal(strict(new URL('https://127.0.0.1/a.png'), signal()))).toContain('private address')
    expect(await refusal(strict(new URL('https://[::1]/a.png'), signal()))).toContain('private address')
    // Other spellings of loopback: decimal, hex and IPv4-mapped IPv6 (the URL parser normalises them).
    for (const spelled of ['https://2130706433/a.png', 'https://0x7f.1/a.png', 'https://[::ffff:7f00:1]/a.png'])
      expect(await refusal(strict(new URL(spelled), signal())), spelled).toContain('private address')
    expect(await refusal(strict(new URL('https://169.254.169.254/latest/meta-data'), signal()))).toContain(
      'private address',
    )
    // A name is checked at connect time, on the address actually dialled.
    expect(await refusal(strict(new URL('https://localhost/a.png'), signal()))).toContain(
      'resolves to a private address',
    )
    expect(await refusal(strict(new URL('ftp://example.com/a.png'), signal()))).toContain('only https:')
  })
})
