import type { z } from 'zod'
import { addUsage, unknownUsage, type ChatRequest } from '../calls/chat.ts'
import { sdkGenerate, sdkStream } from '../calls/sdk.ts'
import { ErrorClass, InvalidOutputError } from '../router/errors.ts'
import type { CallContext } from '../router/router.ts'
import type { AiCandidate, AiUsage } from '../types.ts'
import { parseAnswerJson } from '../wire/structured.ts'
import { settling } from './settle.ts'
import { settledAt, type Call, type PipelineDeps } from './types.ts'

/**
 * The innermost call for in-code features (`generateText`, `generateObject`, `stream`): the
 * candidate's AI SDK model, through `doGenerate` / `doStream`.
 */

type Deps = Pick<PipelineDeps, 'providers'>
type ChatFor = (candidate: AiCandidate) => ChatRequest

/** Parse model text as JSON (tolerating a Markdown fence) and validate it. */
export function checkObject<T>(
  schema: z.ZodType<T>,
  text: string,
): { ok: true; value: T } | { ok: false; error: string } {
  const json = parseAnswerJson(text)
  if (!json.ok) return { ok: false, error: 'the answer is not valid JSON' }
  const result = schema.safeParse(json.value)
  if (result.success) return { ok: true, value: result.data }
  return {
    ok: false,
    error: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
  }
}

export function textCall(deps: Deps, chatFor: ChatFor): Call<string> {
  return async ({ candidate, signal }) => {
    const result = await sdkGenerate(
      deps.providers.languageModel(candidate.provider, candidate.model),
      chatFor(candidate),
      signal,
    )
    return { value: result.text, usage: result.usage, settled: settledAt(result.usage) }
  }
}

/**
 * Structured output: the JSON schema goes to the provider, the answer is parsed and validated; on
 * failure one repair call sends the validation error back; still invalid → `InvalidOutputError`
 * (the router moves on). An invalid object is never returned.
 */
export function objectCall<T>(
  deps: Deps,
  chatFor: ChatFor,
  check: (text: string) => { ok: true; value: T } | { ok: false; error: string },
): Call<T> {
  return async (context: CallContext) => {
    const { candidate, signal } = context
    const model = deps.providers.languageModel(candidate.provider, candidate.model)
    const started = performance.now()
    const chat = chatFor(candidate)
    const first = await sdkGenerate(model, chat, signal)
    const checked = check(first.text)
    if (checked.ok) return { value: checked.value, usage: first.usage, settled: settledAt(first.usage) }
    context.record({
      provider: candidate.provider,
      model: candidate.model,
      latencyMs: Math.round(performance.now() - started),
      ok: false,
      errorClass: ErrorClass.InvalidOutput,
      error: `repairing: ${checked.error}`.slice(0, 500),
    })
    // One repair: send the validation error back.
    const repair = await sdkGenerate(
      model,
      {
        ...chat,
        messages: [
          ...chat.messages,
          { role: 'assistant', content: first.text },
          {
            role: 'user',
            content: `That answer is invalid: ${checked.error}. Reply with only the corrected JSON that satisfies the schema.`,
          },
        ],
      },
      signal,
    )
    const again = check(repair.text)
    if (!again.ok)
      throw new InvalidOutputError(`The answer failed its schema after one repair: ${again.error}`.slice(0, 500))
    const usage = addUsage(first.usage, repair.usage)
    return { value: again.value, usage, settled: settledAt(usage) }
  }
}

/** A text stream; the router may fall back until its first chunk. */
export function textStreamCall(deps: Deps, chatFor: ChatFor): Call<AsyncIterable<string>> {
  return async ({ candidate, signal }) => {
    const chunks = await sdkStream(
      deps.providers.languageModel(candidate.provider, candidate.model),
      chatFor(candidate),
      signal,
    )
    let usage: AiUsage = unknownUsage()
    const pieces = (async function* () {
      for await (const chunk of chunks) {
        if (chunk.type === 'text') yield chunk.text
        else if (chunk.type === 'finish') usage = chunk.usage
      }
    })()
    const { value, settled } = settling(pieces, () => ({ usage }))
    return { value, usage, settled }
  }
}
