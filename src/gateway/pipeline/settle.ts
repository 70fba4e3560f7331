import { errorMessage } from '../router/errors.ts'
import type { Settlement } from './types.ts'

/**
 * A stream that settles however it ends: at its end (with the usage and any in-stream error the
 * source reports), when it throws (`stream_failed`, rethrown for the writer to send an error
 * event), or when its reader stops early (`cancelled`; leaving the loop cancels the upstream).
 */
export function settling(
  source: AsyncIterable<string>,
  state: () => Settlement,
  /** Whether a failure is the reader going away (its abort cancelled the upstream): `cancelled`, not `stream_failed`. */
  cancelled?: () => boolean,
): { value: AsyncIterable<string>; settled: Promise<Settlement> } {
  let resolve!: (s: Settlement) => void
  const settled = new Promise<Settlement>((r) => (resolve = r))
  const value = (async function* () {
    let ended = false
    try {
      for await (const piece of source) yield piece
      ended = true
      resolve(state())
    } catch (error) {
      ended = true
      const errorClass = cancelled?.() ? 'cancelled' : 'stream_failed'
      resolve({ usage: state().usage, error: { errorClass, message: errorMessage(error) } })
      throw error
    } finally {
      if (!ended)
        resolve({
          usage: state().usage,
          error: { errorClass: 'cancelled', message: 'The reader stopped before the stream ended' },
        })
    }
  })()
  return { value, settled }
}

/** A one-piece stream (a rules answer, a cached stream's text). */
export async function* onePiece(text: string): AsyncIterable<string> {
  yield text
}
