import { z } from 'zod'
import type { AiFeature } from '../gateway/types.ts'
import { businessContext, dataBlock, DATA_SAFETY, score15 } from './shared.ts'

export const profileScoringInput = businessContext
export type ProfileScoringInput = z.infer<typeof profileScoringInput>

export const profileScoringOutput = z.object({
  strategy: score15,
  process: score15,
  technology: score15,
  overall: score15,
  maturityStage: z.enum(['early', 'emerging', 'established', 'scaling']),
  rationale: z.string().min(20).max(1500),
  focusAreas: z
    .array(z.enum(['strategy', 'process', 'technology']))
    .min(1)
    .max(3),
})
export type ProfileScoringOutput = z.infer<typeof profileScoringOutput>

const has = (value: string | null | undefined, pattern: RegExp) => typeof value === 'string' && pattern.test(value)
const round = (v: number) => Math.round(Math.min(5, Math.max(1, v)) * 100) / 100

/**
 * The rules model: start every area at 2.0 and add documented points for what the onboarding
 * fields show. Growth stage and years in business move all areas; a stated goal and funding move
 * strategy; company size moves process (more people need more defined ways of working); several
 * sales channels and digital keywords move technology; each key challenge naming an area takes
 * 0.25 from it.
 */
export function scoreProfile(input: ProfileScoringInput) {
  const s = { strategy: 2, process: 2, technology: 2 }
  const all = (n: number) => {
    s.strategy += n
    s.process += n
    s.technology += n
  }
  if (has(input.growthStage, /scal|expan|mature|growth/i)) all(0.75)
  else if (has(input.growthStage, /early|seed|start|idea|pre/i)) all(-0.25)
  if (has(input.yearsInBusiness, /\b(1[0-9]|[2-9][0-9])\b|10\+|over 10|more than 10/i)) all(0.5)
  else if (has(input.yearsInBusiness, /\b[5-9]\b|5\+/)) all(0.25)
  if (input.primaryGoal && input.primaryGoal.trim().length >= 15) s.strategy += 0.5
  if (has(input.fundingStatus, /series|venture|funded|profitable|private equity|bootstrapped and profitable/i))
    s.strategy += 0.25
  if (has(input.companySize, /\b(5[0-9]|[6-9][0-9]|[1-9][0-9]{2,})\b|51|201|500\+|1000/)) s.process += 0.75
  else if (has(input.companySize, /\b(1[1-9]|[2-4][0-9])\b|11|50/)) s.process += 0.25
  const channels = input.salesChannels?.length ?? 0
  if (channels >= 3) s.technology += 0.5
  else if (channels >= 1) s.technology += 0.25
  if (has(input.businessModel, /saas|subscription|online|platform|marketplace|e-?commerce|digital/i))
    s.technology += 0.5
  for (const challenge of input.keyChallenges ?? []) {
    if (/strateg|direction|focus|compet|position/i.test(challenge)) s.strategy -= 0.25
    if (/process|operat|efficien|scal|hiring|quality|deliver/i.test(challenge)) s.process -= 0.25
    if (/tech|system|tool|data|software|automat|digital/i.test(challenge)) s.technology -= 0.25
  }
  return { strategy: round(s.strategy), process: round(s.process), technology: round(s.technology) }
}

/** Business-maturity scores from the onboarding fields. */
export const profileScoring: AiFeature<ProfileScoringInput, ProfileScoringOutput> = {
  name: 'profile_scoring',
  description: 'Business-maturity scores (strategy, process, technology, overall) from the onboarding profile.',
  input: profileScoringInput,
  output: profileScoringOutput,
  prompt: {
    version: 'profile_scoring@1',
    system: `You assess the business maturity of small and mid-sized companies from their onboarding profile. Score strategy, process and technology from 1 (ad hoc) to 5 (optimised), give an overall score, a maturity stage, a short rationale that cites the profile fields you relied on, and the areas to focus on first. Be conservative when fields are missing. ${DATA_SAFETY}`,
    render: (input) => `Business profile: ${dataBlock('profile', input)}`,
  },
  route: 'default',
  temperature: 0.2,
  maxTokens: 600,
  cacheTtlSeconds: 7 * 24 * 3600,
  rules(input) {
    const scores = scoreProfile(input)
    const overall = round(0.4 * scores.strategy + 0.3 * scores.process + 0.3 * scores.technology)
    const stage = overall < 2 ? 'early' : overall < 3 ? 'emerging' : overall < 4 ? 'established' : 'scaling'
    const ordered = (['strategy', 'process', 'technology'] as const).slice().sort((a, b) => scores[a] - scores[b])
    const used = Object.entries(input)
      .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
      .map(([k]) => k)
    return {
      ...scores,
      overall,
      maturityStage: stage,
      rationale: `Estimated from ${used.length > 0 ? used.join(', ') : 'an empty profile (defaults only)'}: ${input.growthStage ? `growth stage "${input.growthStage}"` : 'no growth stage given'}, ${input.companySize ? `size ${input.companySize}` : 'size unknown'}, ${input.salesChannels?.length ?? 0} sales channel(s) and ${input.keyChallenges?.length ?? 0} stated challenge(s). ${ordered[0]} is the lowest estimate; take the growth assessment to replace these estimates with measured scores.`,
      focusAreas: ordered.slice(0, 2),
    }
  },
}
