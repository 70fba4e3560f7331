import { z } from 'zod'

/** `POST /api/ai/process`: the task to queue. `input` is checked against the type's own schema. */
export const processRequest = z.object({
  type: z.string().min(1).max(64).describe('Task type, e.g. assessment_analysis'),
  input: z.unknown().describe("The task type's input"),
  priority: z.number().int().min(-100).max(100).optional().describe('Higher runs first (default 0)'),
  idempotencyKey: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Repeating a request with the same key returns the same task'),
})

export const processResponse = z.object({
  taskId: z.uuid(),
  status: z.enum(['queued', 'active', 'completed', 'failed']),
})

export const taskStatus = z.enum(['queued', 'active', 'completed', 'failed'])

export const taskView = z
  .object({
    id: z.uuid(),
    type: z.string(),
    status: taskStatus,
    attempts: z.number().int(),
    result: z.record(z.string(), z.unknown()).optional(),
    error: z.string().optional(),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    completedAt: z.string().optional(),
  })
  .meta({ id: 'Task' })

/** `GET /api/realtime/stream` query. */
export const streamQuery = z.object({
  lastEventId: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional()
    .describe('Resume after this event id (EventSource sends the Last-Event-ID header instead)'),
  admin: z.enum(['true', 'false', '1', '0']).optional().describe('Admins: also receive admin events (alerts)'),
})
