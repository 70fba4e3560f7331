import type { GrowthAnswers } from '../../src/domain/assessments/growth.ts'

/**
 * A growth assessment as most tests submit it (a small retailer with a documented strategy and
 * technology that needs work); `over` changes what a test is about.
 */
export const growthAnswers = (over: Partial<GrowthAnswers> = {}): GrowthAnswers => ({
  industry: 'Retail',
  companySize: '11-50',
  revenueRange: '1m_5m',
  obstacles: ['lead_generation'],
  strategy: 'documented',
  process: true,
  customers: 'regular_feedback',
  technology: 'needs_work',
  ...over,
})
