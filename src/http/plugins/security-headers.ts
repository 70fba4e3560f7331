import type { ServerResponse } from 'node:http'

/**
 * Security headers every answer carries, whatever produced it: helmet's full set on routes that run
 * it, and this static set underneath on the rest — machine APIs that skip helmet for speed (`/v1`),
 * hijacked streams (SSE, `/v1` streams write their own head), framework errors raised before any
 * route. Set on the raw response, so a later `writeHead` keeps them and helmet's values win.
 */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'origin-agent-cluster': '?1',
}

const ENTRIES = Object.entries(STATIC_SECURITY_HEADERS)

/** Put the static set on a raw response (before anything is written). */
export function setSecurityHeaders(raw: ServerResponse): void {
  if (raw.headersSent) return
  for (const [name, value] of ENTRIES) raw.setHeader(name, value)
}
