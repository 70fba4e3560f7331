import { actionKey } from './words.ts'

/**
 * Growth levers keep their identity across regenerations by what they are — their key, the target
 * area and a slug of the title (`process.document-your-five-core-processes`) — not by row id. When
 * a new set of five replaces the old one, a lever with the same key keeps its progress; an old
 * lever with progress that is not in the new set is archived, and listed as such, never silently
 * reset to 0 %.
 */

export type LeverIdentity = { key?: string | null; title: string; targetArea: string }
export type TrackedLever = LeverIdentity & { id: string; progress: number }

export function leverKey(lever: LeverIdentity): string {
  return lever.key ?? actionKey(lever.targetArea, lever.title)
}

/** The progress each new lever inherits, and the old levers with progress that are archived. */
export function carryOverProgress<T extends LeverIdentity>(
  previous: TrackedLever[],
  next: T[],
): { levers: Array<T & { key: string; progress: number; carriedFrom: string | null }>; archived: TrackedLever[] } {
  const byKey = new Map<string, TrackedLever>()
  for (const old of previous) {
    const key = leverKey(old)
    const seen = byKey.get(key)
    if (!seen || old.progress > seen.progress) byKey.set(key, old)
  }
  const levers = next.map((lever) => {
    const key = leverKey(lever)
    const old = byKey.get(key)
    return { ...lever, key, progress: old?.progress ?? 0, carriedFrom: old?.id ?? null }
  })
  const kept = new Set(levers.map((l) => l.key))
  const archived = previous.filter((old) => old.progress > 0 && !kept.has(leverKey(old)))
  return { levers, archived }
}
