/** Shared by the admin console's sections. */
export const WINDOWS = ['1h', '24h', '7d', '30d'] as const
export type Window = (typeof WINDOWS)[number]

export const statusTone = (s: string | null) =>
  s === 'healthy' || s === 'closed' || s === 'resolved' || s === 'active' || s === 'promoted'
    ? 'ok'
    : s === 'degraded' || s === 'half-open' || s === 'candidate' || s === 'running'
      ? 'warn'
      : 'bad'
