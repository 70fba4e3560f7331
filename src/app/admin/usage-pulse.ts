import type { Database } from '../../data/db.ts'
import { latestAiLogAt } from '../../data/repositories/ai-log.ts'
import { publish } from '../../events/publish.ts'

export type UsagePulse = {
  /** One check: announce `ai.usage` when ai_log has rows newer than the last check's. */
  tick(): Promise<boolean>
  stop(): void
}

/**
 * Turns new AI traffic into an event for admins' streams, so the admin console refreshes from
 * the stream instead of each browser polling: every `intervalMs`, while this process has an
 * admin stream open, one index probe reads the newest `ai_log` row's time; when it moved, an
 * admin-audience `ai.usage` event is published (at most one per interval per process).
 */
export function createUsagePulse(options: {
  db: Database
  realtime: { adminStreams(): number }
  intervalMs: number
  onError?: (error: unknown) => void
}): UsagePulse {
  let seen: number | undefined
  let primed = false
  let running = false
  async function tick(): Promise<boolean> {
    if (running || options.realtime.adminStreams() === 0) return false
    running = true
    try {
      const latest = await latestAiLogAt(options.db)
      const at = latest?.getTime()
      // The first check only learns where the log stands: the console has just read its figures.
      const first = !primed
      primed = true
      if (at === undefined || at === seen) return false
      seen = at
      if (first) return false
      await options.db.transaction((tx) =>
        publish(tx, { type: 'ai.usage', userId: null, audience: 'admin', payload: { through: latest!.toISOString() } }),
      )
      return true
    } finally {
      running = false
    }
  }
  const timer = setInterval(() => tick().catch((e) => options.onError?.(e)), options.intervalMs)
  timer.unref()
  return { tick, stop: () => clearInterval(timer) }
}
