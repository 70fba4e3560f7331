import { z } from 'zod'

/** Strategy plans: growth levers and roadmap items turned into dated work with owners (the planner modal). */

export const planItemStatus = z.enum(['todo', 'doing', 'done', 'blocked'])

export const planItem = z
  .object({
    title: z.string().trim().min(1).max(200),
    source: z.enum(['lever', 'roadmap', 'custom']),
    owner: z.string().trim().min(1).max(100),
    due: z.iso.date().nullable(),
    progress: z.number().int().min(0).max(100),
    status: planItemStatus,
  })
  .strict()

export const planBody = z
  .object({ title: z.string().trim().min(1).max(200), items: z.array(planItem).min(1).max(50) })
  .strict()
  .meta({ id: 'PlanBody' })

export const plan = z
  .object({ id: z.uuid(), title: z.string(), items: z.array(planItem), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'Plan' })

export const planList = z.object({ plans: z.array(plan) })
export type PlanBody = z.infer<typeof planBody>
export type Plan = z.infer<typeof plan>
