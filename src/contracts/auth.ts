import { z } from 'zod'
import { ROLES, TIERS } from './common.ts'

/** Business fields a user may set on their own profile (onboarding). */
export const businessFields = z
  .object({
    companyName: z.string().trim().min(1).max(200),
    industry: z.string().trim().min(1).max(100),
    companySize: z.string().trim().min(1).max(50),
    revenueRange: z.string().trim().min(1).max(50),
    businessModel: z.string().trim().min(1).max(100),
    targetMarket: z.string().trim().min(1).max(200),
    growthStage: z.string().trim().min(1).max(50),
    yearsInBusiness: z.string().trim().min(1).max(50),
    primaryGoal: z.string().trim().min(1).max(300),
    fundingStatus: z.string().trim().min(1).max(100),
    keyChallenges: z.array(z.string().trim().min(1).max(200)).max(20),
    salesChannels: z.array(z.string().trim().min(1).max(100)).max(20),
  })
  .partial()

export const signupBody = z
  .object({
    email: z.email().max(254),
    password: z.string().min(8, 'must be at least 8 characters').max(200),
    name: z.string().trim().min(1).max(200).optional(),
    industry: z.string().trim().min(1).max(100).optional(),
    companySize: z.string().trim().min(1).max(50).optional(),
    revenueRange: z.string().trim().min(1).max(50).optional(),
  })
  .strict()

export const loginBody = z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(200) }).strict()

/** `POST /api/auth/password`: the current password proves it is the owner, not only their session. */
export const changePasswordBody = z
  .object({
    currentPassword: z.string().min(1).max(200),
    newPassword: z.string().min(8, 'must be at least 8 characters').max(200),
  })
  .strict()
  .refine((b) => b.newPassword !== b.currentPassword, {
    message: 'must differ from the current password',
    path: ['newPassword'],
  })

export const user = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.enum(ROLES),
    tier: z.enum(TIERS),
    createdAt: z.string(),
  })
  .meta({ id: 'User' })
export type User = z.infer<typeof user>

export const authResponse = z.object({ token: z.string(), expiresAt: z.string(), user })
/** `POST /api/auth/password`: the other sessions have ended; this one goes on with a new token (also set as the cookie). */
export const changePasswordResponse = authResponse.extend({ changed: z.literal(true) })

export const scoreValue = z.number().min(1).max(5).nullable()

export const profile = businessFields
  .required()
  .extend({
    companyName: z.string().nullable(),
    industry: z.string().nullable(),
    companySize: z.string().nullable(),
    revenueRange: z.string().nullable(),
    businessModel: z.string().nullable(),
    targetMarket: z.string().nullable(),
    growthStage: z.string().nullable(),
    yearsInBusiness: z.string().nullable(),
    primaryGoal: z.string().nullable(),
    fundingStatus: z.string().nullable(),
    keyChallenges: z.array(z.string()).nullable(),
    salesChannels: z.array(z.string()).nullable(),
    userId: z.uuid(),
    baseScore: scoreValue,
    overallScore: scoreValue,
    updatedAt: z.string(),
  })
  .meta({ id: 'Profile' })
export type Profile = z.infer<typeof profile>

export const profilePatch = businessFields.strict().refine((v) => Object.keys(v).length > 0, {
  message: 'send at least one field to change',
})

export const adminUserPatch = z
  .object({ role: z.enum(ROLES).optional(), tier: z.enum(TIERS).optional() })
  .strict()
  .refine((v) => v.role !== undefined || v.tier !== undefined, { message: 'send role, tier or both' })

export const adminUserList = z.object({ users: z.array(user), total: z.number().int() })
export const adminUserQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  q: z.string().trim().max(254).optional(),
})

/** What we know about the business: onboarding fields, all optional. */
export const businessContext = z.object({
  companyName: z.string().nullish(),
  industry: z.string().nullish(),
  companySize: z.string().nullish(),
  revenueRange: z.string().nullish(),
  businessModel: z.string().nullish(),
  targetMarket: z.string().nullish(),
  growthStage: z.string().nullish(),
  yearsInBusiness: z.string().nullish(),
  primaryGoal: z.string().nullish(),
  fundingStatus: z.string().nullish(),
  keyChallenges: z.array(z.string()).nullish(),
  salesChannels: z.array(z.string()).nullish(),
})
export type BusinessContext = z.infer<typeof businessContext>
