import { crc32 } from 'node:zlib'
import {
  chunksOf,
  stopReasonOf,
  stopSequences,
  textLength,
  type OutputMode,
  type SimOutput,
  type SimRequest,
} from '../content.ts'
import type { JsonSchema } from '../json-schema-sample.ts'
import { BadRequest, isRecord, type StreamEvent, type WireFormat } from './wire.ts'

/**
 * Amazon Bedrock's Converse API: `POST /model/{modelId}/converse` (JSON) and
 * `/converse-stream` (the AWS event-stream binary framing, `application/vnd.amazon.eventstream`).
 * Structured output arrives as a forced tool (`toolConfig.toolChoice.any` or `.tool`), which is
 * what `@ai-sdk/amazon-bedrock` sends for models without native structured output. Requests are
 * SigV4-signed by clients; the simulator accepts any signature.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
 */
export function createBedrockFormat(): WireFormat {
  function parse(body: Record<string, unknown>, context: { model?: string; stream?: boolean }): SimRequest {
    const model = context.model
    if (!model) throw new BadRequest('The provided model identifier is invalid.')
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      throw new BadRequest(
        '1 validation error detected: Value at "messages" failed to satisfy constraint: Member must not be null',
      )
    for (const [i, m] of body.messages.entries()) {
      if (!isRecord(m) || (m.role !== 'user' && m.role !== 'assistant') || !Array.isArray(m.content))
        throw new BadRequest(`messages.${i}: each message needs a role (user or assistant) and a content array`)
    }
    const toolConfig = isRecord(body.toolConfig) ? body.toolConfig : {}
    const tools = (Array.isArray(toolConfig.tools) ? toolConfig.tools : [])
      .filter(isRecord)
      .map((t) => (isRecord(t.toolSpec) ? t.toolSpec : {}))
    const inference = isRecord(body.inferenceConfig) ? body.inferenceConfig : {}
    return {
      model,
      stream: context.stream === true,
      promptChars: textLength(body.system) + textLength(body.messages) + textLength(tools),
      maxTokens: typeof inference.maxTokens === 'number' ? inference.maxTokens : undefined,
      output: outputMode(toolConfig, tools),
      stop: stopSequences(inference.stopSequences),
    }
  }

  function outputMode(toolConfig: Record<string, unknown>, tools: Record<string, unknown>[]): OutputMode {
    const choice = isRecord(toolConfig.toolChoice) ? toolConfig.toolChoice : undefined
    let forced: Record<string, unknown> | undefined
    if (choice && isRecord(choice.tool)) {
      const name = choice.tool.name
      forced = tools.find((t) => t.name === name)
      if (!forced) throw new BadRequest(`toolConfig.toolChoice: tool "${String(name)}" is not in toolConfig.tools`)
    } else if (choice && isRecord(choice.any)) {
      forced = tools[0]
    }
    if (!forced) return { kind: 'text' }
    const schema =
      isRecord(forced.inputSchema) && isRecord(forced.inputSchema.json) ? forced.inputSchema.json : undefined
    return { kind: 'tool', name: String(forced.name), schema: schema as JsonSchema | undefined }
  }

  // Claude on Bedrock names the sequence that stopped it (as the AI SDK reads it).
  const stopFields = (out: SimOutput, model: string) =>
    out.stopSequence !== undefined && model.includes('anthropic')
      ? { additionalModelResponseFields: { delta: { stop_sequence: out.stopSequence } } }
      : {}
  const usage = (out: SimOutput) => ({
    inputTokens: out.inputTokens,
    outputTokens: out.outputTokens,
    totalTokens: out.inputTokens + out.outputTokens,
  })

  function renderJson(out: SimOutput, request: SimRequest) {
    const content = out.toolCall
      ? [
          {
            toolUse: {
              toolUseId: `tooluse_${out.id}`,
              name: out.toolCall.name,
              input: JSON.parse(out.toolCall.arguments) as unknown,
            },
          },
        ]
      : [{ text: out.text }]
    return {
      output: { message: { role: 'assistant', content } },
      stopReason: stopReasonOf(out),
      ...stopFields(out, request.model),
      usage: usage(out),
      metrics: { latencyMs: 1 },
    }
  }

  function renderStream(out: SimOutput, request: SimRequest): StreamEvent[] {
    const ev = (event: string, data: Record<string, unknown>): StreamEvent => ({ event, data: JSON.stringify(data) })
    const events: StreamEvent[] = [ev('messageStart', { role: 'assistant' })]
    if (out.toolCall) {
      events.push(
        ev('contentBlockStart', {
          contentBlockIndex: 0,
          start: { toolUse: { toolUseId: `tooluse_${out.id}`, name: out.toolCall.name } },
        }),
      )
      for (const piece of chunksOf(out.toolCall.arguments, true))
        events.push(ev('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: piece } } }))
    } else {
      for (const piece of chunksOf(out.text, request.output.kind === 'json'))
        events.push(ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: piece } }))
    }
    events.push(ev('contentBlockStop', { contentBlockIndex: 0 }))
    events.push(ev('messageStop', { stopReason: stopReasonOf(out), ...stopFields(out, request.model) }))
    events.push(ev('metadata', { usage: usage(out), metrics: { latencyMs: 1 } }))
    return events
  }

  function errorBody(status: number, message: string) {
    const type =
      status === 400
        ? 'ValidationException'
        : status === 403
          ? 'AccessDeniedException'
          : status === 404
            ? 'ResourceNotFoundException'
            : status === 429
              ? 'ThrottlingException'
              : status === 503
                ? 'ServiceUnavailableException'
                : 'InternalServerException'
    return { message, type }
  }

  return {
    name: 'bedrock',
    parse,
    renderJson,
    renderStream,
    errorBody,
    // An exception frame inside the event stream (`:message-type: exception`).
    streamErrorEvent: (message) => ({
      event: EXCEPTION_PREFIX + 'modelStreamErrorException',
      data: JSON.stringify({ message }),
    }),
    modelList: (ids) => ({
      modelSummaries: ids.map((id) => ({
        modelId: id,
        modelArn: `arn:aws:bedrock:us-east-1::foundation-model/${id}`,
        providerName: id.split('.')[0] ?? 'amazon',
        inputModalities: ['TEXT'],
        outputModalities: ['TEXT'],
        responseStreamingSupported: true,
      })),
    }),
    sseSeparator: '',
    encodeStream: encodeEventStream,
  }
}

/** A stream event whose name starts with this is an exception frame, not an event. */
const EXCEPTION_PREFIX = '!'

/**
 * The AWS event-stream framing: per message a prelude (total length, headers length, CRC32 of the
 * two), string headers, the payload, and a CRC32 of everything before it. Big-endian throughout.
 */
function encodeEventStream(events: StreamEvent[]): { contentType: string; frames: Buffer[] } {
  return {
    contentType: 'application/vnd.amazon.eventstream',
    frames: events.map((e) => {
      const name = e.event ?? 'chunk'
      const exception = name.startsWith(EXCEPTION_PREFIX)
      return frame(
        exception
          ? { ':message-type': 'exception', ':exception-type': name.slice(1), ':content-type': 'application/json' }
          : { ':message-type': 'event', ':event-type': name, ':content-type': 'application/json' },
        Buffer.from(e.data),
      )
    }),
  }
}

function frame(headers: Record<string, string>, payload: Buffer): Buffer {
  const headerBytes = Buffer.concat(
    Object.entries(headers).map(([key, value]) => {
      const k = Buffer.from(key)
      const v = Buffer.from(value)
      const h = Buffer.alloc(1 + k.length + 1 + 2 + v.length)
      h.writeUInt8(k.length, 0)
      k.copy(h, 1)
      h.writeUInt8(7, 1 + k.length) // 7: string
      h.writeUInt16BE(v.length, 2 + k.length)
      v.copy(h, 4 + k.length)
      return h
    }),
  )
  const total = 12 + headerBytes.length + payload.length + 4
  const message = Buffer.alloc(total)
  message.writeUInt32BE(total, 0)
  message.writeUInt32BE(headerBytes.length, 4)
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8)
  headerBytes.copy(message, 12)
  payload.copy(message, 12 + headerBytes.length)
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4)
  return message
}
