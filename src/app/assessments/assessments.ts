import type { Logger } from 'pino'
import type { GrowthAssessmentBody } from '../../contracts/assessments.ts'
import type { Claims, Database, Executor } from '../../data/db.ts'
import {
  componentScores,
  listSubmissions,
  lockProfile,
  profileFields,
  readProfileVersion,
  recordGrowthAssessment,
  recordSubmission,
} from '../../data/repositories/assessments.ts'
import { getProfile, type ProfileRow } from '../../data/repositories/profiles.ts'
import { validateAnswers } from '../../domain/assessments/answers.ts'
import type { AssessmentCatalogue } from '../../domain/assessments/assessment-configs.ts'
import { bracketLabel } from '../../domain/assessments/breakdown.ts'
import { bracketFor, bracketForProfile } from '../../domain/assessments/brackets.ts'
import type { AssessmentConfig, BracketKey } from '../../domain/assessments/config-schema.ts'
import { scoreGrowthAssessment } from '../../domain/assessments/growth.ts'
import type { OverallWeights } from '../../domain/assessments/overall.ts'
import { retakeAvailableAt } from '../../domain/assessments/retake.ts'
import { scoreAnswers } from '../../domain/assessments/scoring.ts'
import { DEEP_ASSESSMENT_TYPES } from '../../domain/assessments/types.ts'
import { ConflictError, NotFoundError, OptimaliqError, ValidationError } from '../../errors.ts'
import { noteAssessmentCompleted, noteAssessmentStarted } from './attempts.ts'
import { explainSubmission } from './submission-breakdown.ts'

/**
 * The assessments: catalogue, the question set of the caller's bracket, submission (scored and
 * recorded in one transaction, retakes enforced), history, current scores and the growth
 * assessment. Reads run under RLS as the caller; score writes run as the owner with the profile
 * row locked when contended.
 */
export type AssessmentServiceDeps = {
  db: Database
  catalogue: AssessmentCatalogue
  overallWeights: OverallWeights
  retakeDays: number
}
type Log = Pick<Logger, 'warn'>

/** Optimistic submission attempts before falling back to the row lock. */
const OPTIMISTIC_ATTEMPTS = 2
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)

export function configOf(catalogue: AssessmentCatalogue, type: string): AssessmentConfig {
  const config = catalogue.get(type)
  if (!config) {
    throw new OptimaliqError('unknown_assessment', `There is no assessment "${type.slice(0, 64)}"`, {
      status: 404,
      details: { available: catalogue.configs.map((c) => c.type) },
    })
  }
  return config
}

function summaryOf(config: AssessmentConfig, profile: ProfileRow, retakeDays: number, now: Date) {
  const fields = profileFields(config.type)
  const bracketKey = bracketForProfile(profile)
  const opens = retakeAvailableAt(profile[fields.lastTaken], retakeDays)
  return {
    type: config.type,
    title: config.title,
    description: config.description,
    version: config.version,
    bracketKey,
    questionCount: config.brackets[bracketKey].groups.reduce((n, g) => n + g.questions.length, 0),
    score: profile[fields.score],
    lastTaken: iso(profile[fields.lastTaken]),
    retakeAvailableAt: opens && opens > now ? opens.toISOString() : null,
  }
}

function publicGroups(config: AssessmentConfig, bracket: BracketKey) {
  return config.brackets[bracket].groups.map((g) => ({
    key: g.key,
    title: g.title,
    ...(g.description ? { description: g.description } : {}),
    questions: g.questions.map((q) => ({
      key: q.key,
      type: q.type,
      prompt: q.prompt,
      ...(q.help ? { help: q.help } : {}),
      required: q.required,
      ...(q.maxSelections !== undefined ? { maxSelections: q.maxSelections } : {}),
      ...(q.type === 'text_area' ? { maxLength: 1000 } : {}),
      ...(q.options ? { options: q.options.map((o) => ({ value: o.value, label: o.label })) } : {}),
    })),
  }))
}

export type AssessmentService = ReturnType<typeof createAssessmentService>

export function createAssessmentService(deps: AssessmentServiceDeps) {
  const { db, catalogue, overallWeights, retakeDays } = deps

  async function profileOf(claims: Claims): Promise<ProfileRow> {
    const profile = await db.asUser(claims, (tx) => getProfile(tx, claims.sub))
    if (!profile) throw new NotFoundError('Profile')
    return profile
  }

  return {
    configOf: (type: string) => configOf(catalogue, type),

    /** Every assessment with the caller's score, last take and next retake. */
    async overview(claims: Claims) {
      const profile = await profileOf(claims)
      const now = new Date()
      return {
        assessments: catalogue.configs.map((c) => summaryOf(c, profile, retakeDays, now)),
        growth: {
          baseScore: profile.baseScore,
          strategyScore: profile.strategyScore,
          processScore: profile.processScore,
          technologyScore: profile.technologyScore,
          lastTaken: iso(profile.growthLastTaken),
        },
        overallScore: profile.overallScore,
      }
    },

    /** The questions of the caller's bracket; counts as "started" for the funnel. */
    async questions(claims: Claims, type: string, log: Log) {
      const assessment = configOf(catalogue, type)
      const profile = await profileOf(claims)
      const summary = summaryOf(assessment, profile, retakeDays, new Date())
      // The funnel's "started": served the questions (one open attempt per user and assessment).
      await noteAssessmentStarted(db, profile.userId, assessment.type, log)
      return { ...summary, groups: publicGroups(assessment, summary.bracketKey) }
    },

    /** Check the retake window, validate, score and record — or throw, having written nothing. */
    async submit(
      userId: string,
      type: string,
      body: { answers: Record<string, unknown>; bracketKey?: BracketKey | undefined },
      log: Log,
    ) {
      const assessment = configOf(catalogue, type)
      const submit = async (executor: Executor, profile: ProfileRow, ifVersion?: string) => {
        const now = new Date()
        const opens = retakeAvailableAt(profile[profileFields(assessment.type).lastTaken], retakeDays)
        if (opens && opens > now) {
          throw new ConflictError('retake_too_soon', `You can retake this assessment from ${opens.toISOString()}`, {
            retakeAvailableAt: opens.toISOString(),
          })
        }
        const bracketServed = bracketForProfile(profile)
        if (body.bracketKey !== undefined && body.bracketKey !== bracketServed) {
          throw new ConflictError(
            'bracket_changed',
            `Your questions are now those of ${bracketServed}: fetch them again`,
            { bracketKey: bracketServed },
          )
        }
        const set = assessment.brackets[bracketServed]
        const check = validateAnswers(set, body.answers)
        if (!check.ok) throw new ValidationError(check.issues.map((i) => ({ ...i, field: `body.${i.field}` })))
        const score = scoreAnswers(set, check.answers)
        const input = {
          userId,
          type: assessment.type,
          bracketServed,
          answers: check.answers,
          score,
          bracketKey: bracketFor(score),
        }
        const recorded = await recordSubmission(executor, profile, input, {
          weights: overallWeights,
          now,
          ...(ifVersion === undefined ? {} : { ifVersion }),
        })
        return (
          recorded && {
            id: recorded.id,
            type: assessment.type,
            score,
            bracketKey: input.bracketKey,
            bracketLabel: bracketLabel(input.bracketKey),
            overallScore: recorded.overallScore,
            takenAt: recorded.takenAt.toISOString(),
          }
        )
      }

      // Fast path: read the profile, then one statement that writes only if the profile is
      // unchanged. A concurrent submission makes it write nothing; we re-read and decide again
      // (usually: the retake window is now closed → 409).
      for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
        const current = await readProfileVersion(db.orm, userId)
        if (!current) throw new NotFoundError('Profile')
        const result = await submit(db.orm, current.profile, current.version)
        if (result) {
          await noteAssessmentCompleted(db, userId, assessment.type, result.id, log)
          return result
        }
      }
      // Contended: take the row lock, so this one cannot lose again.
      const result = await db.transaction(async (tx) => {
        const profile = await lockProfile(tx, userId)
        if (!profile) throw new NotFoundError('Profile')
        return submit(tx, profile)
      })
      await noteAssessmentCompleted(db, userId, assessment.type, result!.id, log)
      return result!
    },

    /** The caller's submissions of one assessment, newest first. */
    async history(claims: Claims, type: string, limit: number) {
      const assessment = configOf(catalogue, type)
      const rows = await db.asUser(claims, (tx) => listSubmissions(tx, claims.sub, assessment.type, { limit }))
      return {
        type: assessment.type,
        submissions: rows.map((r) => ({
          id: r.id,
          score: r.score,
          bracketKey: r.bracketKey as BracketKey,
          bracketLabel: bracketLabel(r.bracketKey as BracketKey),
          bracketServed: r.bracketServed as BracketKey,
          baseScoreAtTime: r.baseScoreAtTime,
          answers: r.answers,
          takenAt: r.createdAt.toISOString(),
        })),
      }
    },

    /** One submission explained (group sub-scores, contributions, the formula, the previous one). */
    breakdown(claims: Claims, type: string, id: string) {
      const assessment = configOf(catalogue, type)
      return explainSubmission(db, catalogue, claims, assessment.type, id)
    },

    /** All the caller's current scores, base and overall. */
    async scores(claims: Claims) {
      const profile = await profileOf(claims)
      const scores = componentScores(profile)
      return {
        overallScore: profile.overallScore,
        baseScore: profile.baseScore,
        strategyScore: profile.strategyScore,
        processScore: profile.processScore,
        technologyScore: profile.technologyScore,
        growthLastTaken: iso(profile.growthLastTaken),
        assessments: Object.fromEntries(
          DEEP_ASSESSMENT_TYPES.map((t) => [
            t,
            { score: scores[t], lastTaken: iso(profile[profileFields(t).lastTaken]) },
          ]),
        ) as Record<(typeof DEEP_ASSESSMENT_TYPES)[number], { score: number | null; lastTaken: string | null }>,
      }
    },

    /** The growth assessment: stored and scored (strategy, process, technology, base) with the profile locked. */
    async takeGrowthAssessment(userId: string, answers: GrowthAssessmentBody) {
      const scores = scoreGrowthAssessment(answers)
      const result = await db.transaction(async (tx) => {
        const profile = await lockProfile(tx, userId)
        if (!profile) throw new NotFoundError('Profile')
        return recordGrowthAssessment(tx, profile, { userId, answers, scores }, overallWeights, new Date())
      })
      return {
        id: result.id,
        strategyScore: scores.strategy,
        processScore: scores.process,
        technologyScore: scores.technology,
        baseScore: scores.base,
        overallScore: result.overallScore,
        takenAt: result.takenAt.toISOString(),
      }
    },
  }
}
