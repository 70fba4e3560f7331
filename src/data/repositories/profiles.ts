import { eq } from 'drizzle-orm'
import type { Profile } from '../../contracts/auth.ts'
import type { Executor } from '../db.ts'
import { profiles } from '../schema.ts'

export type ProfileRow = typeof profiles.$inferSelect
export type BusinessFieldsPatch = Partial<
  Pick<
    ProfileRow,
    | 'companyName'
    | 'industry'
    | 'companySize'
    | 'revenueRange'
    | 'businessModel'
    | 'targetMarket'
    | 'growthStage'
    | 'yearsInBusiness'
    | 'primaryGoal'
    | 'fundingStatus'
    | 'keyChallenges'
    | 'salesChannels'
  >
>

/** The business-fields view of a profile (scores have their own endpoint). */
export function toProfile(row: ProfileRow): Profile {
  return {
    userId: row.userId,
    companyName: row.companyName,
    industry: row.industry,
    companySize: row.companySize,
    revenueRange: row.revenueRange,
    businessModel: row.businessModel,
    targetMarket: row.targetMarket,
    growthStage: row.growthStage,
    yearsInBusiness: row.yearsInBusiness,
    primaryGoal: row.primaryGoal,
    fundingStatus: row.fundingStatus,
    keyChallenges: row.keyChallenges ?? null,
    salesChannels: row.salesChannels ?? null,
    baseScore: row.baseScore,
    overallScore: row.overallScore,
    updatedAt: row.updatedAt.toISOString(),
  }
}

export async function getProfile(db: Executor, userId: string): Promise<ProfileRow | undefined> {
  const [row] = await db.select().from(profiles).where(eq(profiles.userId, userId)).limit(1)
  return row
}

/** Update business fields; under RLS a user can only reach their own row. */
export async function updateBusinessFields(
  db: Executor,
  userId: string,
  patch: BusinessFieldsPatch,
): Promise<ProfileRow | undefined> {
  const [row] = await db
    .update(profiles)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(profiles.userId, userId))
    .returning()
  return row
}
