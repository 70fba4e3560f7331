import { z } from 'zod'

/**
 * Environment-variable field parsers shared by the provider modules (each declares its own part of
 * the env schema) and `config/env.ts`, which composes those parts. Empty strings count as unset.
 */

export const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))

export const optionalUrl = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined
    try {
      return new URL(v.trim()).toString().replace(/\/$/, '')
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a URL such as http://127.0.0.1:8080/v1' })
      return z.NEVER
    }
  })
