/** An event as `GET /api/realtime/stream` delivers it (`data` of each SSE message; the SSE `event` field is its type). */
export type RealtimeEvent = {
  id: number
  type: string
  userId: string | null
  audience: 'user' | 'admin'
  payload: Record<string, unknown>
  createdAt: string
}
