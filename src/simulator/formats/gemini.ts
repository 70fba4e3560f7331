import { chunksOf, textLength, type OutputMode, type SimOutput, type SimRequest } from '../content.ts'
import type { JsonSchema } from '../json-schema-sample.ts'
import { BadRequest, isRecord, type StreamEvent, type WireFormat } from './wire.ts'

/**
 * Gemini `generateContent` / `streamGenerateContent`, on Google AI and Vertex AI paths alike.
 * `responseJsonSchema` (JSON Schema) wins over `responseSchema` (Google's OpenAPI subset, whose
 * upper-case types the sampler accepts).
 * @see https://ai.google.dev/api/generate-content
 */
export function createGeminiFormat(): WireFormat {
  function parse(body: Record<string, unknown>, context: { model?: string; stream?: boolean }): SimRequest {
    if (!Array.isArray(body.contents) || body.contents.length === 0)
      throw new BadRequest('* GenerateContentRequest.contents: contents is not specified')
    const config = isRecord(body.generationConfig) ? body.generationConfig : {}
    const maxTokens = typeof config.maxOutputTokens === 'number' ? config.maxOutputTokens : undefined
    return {
      model: context.model ?? 'gemini',
      stream: context.stream === true,
      promptChars: textLength(body.systemInstruction) + textLength(body.contents) + textLength(body.tools),
      maxTokens,
      output: outputMode(body, config),
    }
  }

  function outputMode(body: Record<string, unknown>, config: Record<string, unknown>): OutputMode {
    const declarations = (Array.isArray(body.tools) ? body.tools : [])
      .filter(isRecord)
      .flatMap((t) => (Array.isArray(t.functionDeclarations) ? t.functionDeclarations.filter(isRecord) : []))
    const toolConfig = isRecord(body.toolConfig) ? body.toolConfig : {}
    const calling = isRecord(toolConfig.functionCallingConfig) ? toolConfig.functionCallingConfig : {}
    if (String(calling.mode).toUpperCase() === 'ANY' && declarations.length > 0) {
      const allowed = Array.isArray(calling.allowedFunctionNames) ? calling.allowedFunctionNames : undefined
      const fn = (allowed ? declarations.find((d) => allowed.includes(d.name)) : undefined) ?? declarations[0]
      const schema = fn?.parametersJsonSchema ?? fn?.parameters
      return { kind: 'tool', name: String(fn?.name), schema: isRecord(schema) ? (schema as JsonSchema) : undefined }
    }
    if (config.responseMimeType === 'application/json') {
      const schema = config.responseJsonSchema ?? config._responseJsonSchema ?? config.responseSchema
      return { kind: 'json', schema: isRecord(schema) ? (schema as JsonSchema) : undefined }
    }
    return { kind: 'text' }
  }

  const usage = (out: SimOutput) => ({
    promptTokenCount: out.inputTokens,
    candidatesTokenCount: out.outputTokens,
    totalTokenCount: out.inputTokens + out.outputTokens,
  })
  const finish = (out: SimOutput) => (out.finish === 'length' ? 'MAX_TOKENS' : 'STOP')

  function parts(out: SimOutput) {
    return out.toolCall
      ? [{ functionCall: { name: out.toolCall.name, args: JSON.parse(out.toolCall.arguments) as unknown } }]
      : [{ text: out.text }]
  }

  function renderJson(out: SimOutput, request: SimRequest) {
    return {
      candidates: [{ content: { parts: parts(out), role: 'model' }, finishReason: finish(out), index: 0 }],
      usageMetadata: usage(out),
      modelVersion: request.model,
      responseId: out.id,
    }
  }

  function renderStream(out: SimOutput, request: SimRequest): StreamEvent[] {
    const head = { modelVersion: request.model, responseId: out.id }
    const events: StreamEvent[] = []
    const pieces = out.toolCall ? [] : chunksOf(out.text, request.output.kind === 'json')
    const partial = { promptTokenCount: out.inputTokens, totalTokenCount: out.inputTokens }
    for (const piece of pieces.slice(0, -1)) {
      events.push({
        data: JSON.stringify({
          candidates: [{ content: { parts: [{ text: piece }], role: 'model' }, index: 0 }],
          usageMetadata: partial,
          ...head,
        }),
      })
    }
    const lastParts = out.toolCall ? parts(out) : [{ text: pieces.at(-1) ?? '' }]
    events.push({
      data: JSON.stringify({
        candidates: [{ content: { parts: lastParts, role: 'model' }, finishReason: finish(out), index: 0 }],
        usageMetadata: usage(out),
        ...head,
      }),
    })
    return events
  }

  function errorBody(status: number, message: string) {
    const names: Record<number, string> = {
      400: 'INVALID_ARGUMENT',
      401: 'UNAUTHENTICATED',
      403: 'PERMISSION_DENIED',
      404: 'NOT_FOUND',
      429: 'RESOURCE_EXHAUSTED',
      500: 'INTERNAL',
      503: 'UNAVAILABLE',
      504: 'DEADLINE_EXCEEDED',
    }
    return {
      error: { code: status, message, status: names[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION') },
    }
  }

  function modelList(ids: string[]) {
    return {
      models: ids.map((id) => ({
        name: `models/${id}`,
        version: '001',
        displayName: id,
        inputTokenLimit: 1_048_576,
        outputTokenLimit: 65_536,
        supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
      })),
    }
  }

  const streamErrorEvent = (message: string): StreamEvent => ({ data: JSON.stringify(errorBody(503, message)) })

  return {
    name: 'gemini',
    parse,
    renderJson,
    renderStream,
    errorBody,
    streamErrorEvent,
    modelList,
    sseSeparator: '\r\n\r\n',
  }
}
