import type { Claims, Database } from '../../data/db.ts'
import { getSubmissionWithPrevious } from '../../data/repositories/advice.ts'
import type { AssessmentCatalogue } from '../../domain/assessments/assessment-configs.ts'
import { bracketLabel, explainScore } from '../../domain/assessments/breakdown.ts'
import type { BracketKey } from '../../domain/assessments/config-schema.ts'
import { isDeepAssessmentType } from '../../domain/assessments/types.ts'
import { NotFoundError } from '../../errors.ts'

/**
 * One of the caller's submissions explained: group sub-scores, each answer's contribution, the
 * bracket served, the formula in words, and the submission before it for comparison. Read under
 * RLS as the caller; another user's id is a 404 like an unknown one.
 */
export async function explainSubmission(
  db: Database,
  catalogue: AssessmentCatalogue,
  claims: Claims,
  type: string,
  id: string,
) {
  const config = catalogue.get(type)
  if (!config || !isDeepAssessmentType(type)) throw new NotFoundError('Assessment', 'unknown_assessment')
  const found = await db.asUser(claims, (tx) => getSubmissionWithPrevious(tx, claims.sub, type, id))
  if (!found) throw new NotFoundError('Submission')
  const { submission, previous } = found
  const served = submission.bracketServed as BracketKey
  const bracket = submission.bracketKey as BracketKey
  const breakdown = explainScore(
    config.brackets[served],
    submission.answers as Record<string, unknown>,
    submission.score,
  )
  return {
    type,
    title: config.title,
    id: submission.id,
    score: submission.score,
    bracketKey: bracket,
    bracketLabel: bracketLabel(bracket),
    bracketServed: served,
    bracketServedLabel: bracketLabel(served),
    takenAt: submission.createdAt.toISOString(),
    groups: breakdown.groups,
    totals: breakdown.totals,
    formula: breakdown.formula,
    previous: previous && {
      id: previous.id,
      score: previous.score,
      bracketKey: previous.bracketKey as BracketKey,
      bracketLabel: bracketLabel(previous.bracketKey as BracketKey),
      takenAt: previous.createdAt.toISOString(),
      change: Math.round((submission.score - previous.score) * 100) / 100,
    },
  }
}
