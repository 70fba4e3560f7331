import type { ProviderName } from './provider-names.ts'
import type { ProviderSettings } from './providers/index.ts'

/**
 * The gateway's configuration, as `config/env.ts` builds it from the environment (`Config['ai']`).
 * Declared here so the gateway depends on no other folder for it.
 */
export type GatewayConfig = {
  enabled: boolean
  /** `AI_PROVIDER`: preferred when configured. */
  provider: ProviderName | undefined
  model: string | undefined
  maxTokens: number
  temperature: number
  /** `OPTIMALIQ_CONFIG`: routes, tiers and budgets from a file. */
  configFile: string | undefined
  gateway: {
    attemptTimeoutMs: number
    deadlineMs: number
    maxRetries: number
    retryAfterCapMs: number
    /** 0: no hedging. */
    hedgeAfterMs: number
    breakerThreshold: number
    breakerHalfOpenMs: number
    /** 0: no idle probe. */
    healthProbeIntervalSeconds: number
    ledgerFlushMs: number
    logPrompts: boolean
    /** Default cache TTL of `/v1` requests (a request can set `x-optimaliq-cache-ttl`). */
    v1CacheTtlSeconds: number
    /** Image URLs for models that take only bytes: fetched from public https hosts, from any host, or not at all. */
    mediaFetch: 'public' | 'any' | 'off'
    /** `AI_ROUTES_POLL_MS`: how often routes stored by admins are re-read (default 2000); 0: never. */
    routesPollMs?: number | undefined
  }
  providers: ProviderSettings
}

/** The part of the process's Config the gateway reads. */
export type ConfigWithGateway = { ai: GatewayConfig }
