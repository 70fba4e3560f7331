import { z } from 'zod'

/** The one error shape every endpoint returns. */
export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('Stable, machine-readable code, e.g. validation_failed'),
      message: z.string(),
      details: z.unknown().optional(),
    }),
    requestId: z.string(),
  })
  .meta({ id: 'Error' })

export const uuidParam = z.object({ id: z.uuid() })

export const TIERS = ['free', 'premium', 'enterprise'] as const
export const ROLES = ['user', 'admin'] as const
export type Tier = (typeof TIERS)[number]
export type Role = (typeof ROLES)[number]
