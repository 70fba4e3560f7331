import { ValidationError } from '../errors.ts'
import type { AiCaller, AiClient, AiFeature, AiMessage, AiMeta } from '../gateway/types.ts'

export type FeatureRun<O> = { object: O; meta: AiMeta }

/** The rendered prompt of a feature for an input: system instructions and one user message. */
export function renderFeaturePrompt<I, O>(
  feature: AiFeature<I, O>,
  input: I,
): { system: string; messages: AiMessage[] } {
  const text = feature.prompt.render(input)
  const images = feature.prompt.images?.(input) ?? []
  const content: AiMessage['content'] =
    images.length === 0
      ? text
      : [
          { type: 'text', text },
          ...images.map((image) => ({
            type: 'image_url' as const,
            image_url: { url: `data:${image.mediaType};base64,${image.base64}` },
          })),
        ]
  return { system: feature.prompt.system, messages: [{ role: 'user', content }] }
}

/**
 * Run a feature through the gateway: validate the input, render the versioned prompt (user text
 * only inside quoted `<data>` blocks), and call `generateObject` with the feature's parameters and
 * its rules fallback. The gateway validates the output against the feature's schema (repairing or
 * falling back); we parse once more so no caller ever sees an invalid object.
 */
export async function runFeature<I, O>(
  ai: AiClient,
  feature: AiFeature<I, O>,
  rawInput: I,
  caller: AiCaller,
  options: { cacheScope?: string | undefined; signal?: AbortSignal | undefined; route?: string | undefined } = {},
): Promise<FeatureRun<O>> {
  const parsed = feature.input.safeParse(rawInput)
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((issue) => ({
        field: ['input', ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    )
  }
  const input = parsed.data
  const { system, messages } = renderFeaturePrompt(feature, input)
  const result = await ai.generateObject<O>({
    feature: feature.name,
    schema: feature.output,
    system,
    messages,
    route: options.route ?? feature.route,
    temperature: feature.temperature,
    maxTokens: feature.maxTokens,
    cacheTtlSeconds: feature.cacheTtlSeconds,
    cacheScope: options.cacheScope,
    promptVersion: feature.prompt.version,
    rules: () => feature.rules(input),
    caller,
    signal: options.signal,
  })
  const { object, ...meta } = result
  return { object: feature.output.parse(object), meta }
}
