import type { SimOutput, SimRequest } from '../content.ts'

/** One server-sent event: an optional `event:` name and its `data:` line. */
export type StreamEvent = { event?: string; data: string }

/** What each provider's wire format supplies; the server does faults, timing and transport. */
export type WireFormat = {
  name: string
  parse(body: Record<string, unknown>, context: { model?: string; stream?: boolean }): SimRequest
  renderJson(out: SimOutput, request: SimRequest): unknown
  renderStream(out: SimOutput, request: SimRequest): StreamEvent[]
  errorBody(status: number, message: string): unknown
  /** The error event the provider sends inside an already-started stream. */
  streamErrorEvent(message: string): StreamEvent
  modelList(ids: string[]): unknown
  /** Event separator: Gemini uses CRLF pairs, the others LF pairs. */
  sseSeparator: string
  /** A binary stream framing instead of SSE (Bedrock's AWS event stream): one frame per event. */
  encodeStream?(events: StreamEvent[]): { contentType: string; frames: Buffer[] }
}

/** A request the provider would reject with 400. */
export class BadRequest extends Error {
  override name = 'BadRequest'
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
