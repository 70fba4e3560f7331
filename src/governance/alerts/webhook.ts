/**
 * POST an alert to `ALERT_WEBHOOK_URL`, retrying network errors, 429 and 5xx with exponential
 * backoff. Returns whether it was delivered; never throws (the alert stays undelivered and the
 * next evaluation tries again).
 */
export type WebhookOptions = {
  url: string
  retries?: number
  backoffMs?: number
  timeoutMs?: number
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
}

export async function postWebhook(
  options: WebhookOptions,
  body: unknown,
): Promise<{ delivered: boolean; attempts: number; lastStatus?: number }> {
  const retries = options.retries ?? 3
  const doFetch = options.fetch ?? fetch
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  let lastStatus: number | undefined
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    try {
      const response = await doFetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'optimaliq-alerts' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      })
      lastStatus = response.status
      await response.body?.cancel().catch(() => undefined)
      if (response.ok) return { delivered: true, attempts: attempt, lastStatus }
      // 4xx other than 429 will not get better by retrying.
      if (response.status < 500 && response.status !== 429) return { delivered: false, attempts: attempt, lastStatus }
    } catch {
      lastStatus = undefined
    }
    if (attempt <= retries) await sleep((options.backoffMs ?? 250) * 2 ** (attempt - 1))
  }
  return { delivered: false, attempts: retries + 1, ...(lastStatus === undefined ? {} : { lastStatus }) }
}
