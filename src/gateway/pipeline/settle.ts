import type { UpstreamStream } from '../calls/passthrough.ts'
import { ErrorClass, ProviderCallError, errorMessage } from '../router/errors.ts'
import type { AiCandidate, AiUsage } from '../types.ts'
import { MalformedStreamError, type EventRelay } from '../wire/openai-sse.ts'
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

/** An attempt's own controller: aborted by the router's attempt signal or by the client going away. */
export function attemptController(attempt: AbortSignal, client: AbortSignal | undefined): AbortController {
  const controller = new AbortController()
  attempt.addEventListener('abort', () => controller.abort(attempt.reason), { once: true })
  client?.addEventListener('abort', () => controller.abort(client.reason), { once: true })
  return controller
}

/**
 * A same-format upstream stream relayed as it comes, settling however it ends. Its first bytes are
 * checked while the router may still route on (broken from the start is the provider's
 * failure); after that, the upstream's own error event goes through as it was (it is in the
 * client's format), and a stream that just stops before its `end` marker fails, so the writer
 * sends the format's error event and the client never waits.
 */
export function relayUpstream(
  candidate: AiCandidate,
  controller: AbortController,
  stream: UpstreamStream,
  relay: EventRelay,
  options: { end: string; errorClass?: () => string; cancelled: () => boolean },
): { value: AsyncIterable<string>; settled: Promise<Settlement>; usage: AiUsage } {
  let first: string
  try {
    first = relay.push(stream.first)
  } catch (error) {
    controller.abort(error)
    throw new ProviderCallError({
      provider: candidate.provider,
      model: candidate.model,
      errorClass: ErrorClass.MalformedResponse,
      message: `${candidate.provider} sent a malformed stream: ${errorMessage(error)}`,
      cause: error,
    })
  }
  const pieces = (async function* () {
    yield first
    for await (const chunk of stream.chunks) yield relay.push(chunk)
    yield relay.end()
    if (!relay.errored && !relay.done) throw new MalformedStreamError(`the upstream stream ended before ${options.end}`)
  })()
  const { value, settled } = settling(
    pieces,
    () => ({
      usage: relay.usage,
      error: relay.errored
        ? { errorClass: options.errorClass?.() ?? 'stream_failed', message: relay.errorMessage ?? 'error event' }
        : undefined,
    }),
    options.cancelled,
  )
  return { value, settled, usage: relay.usage }
}
