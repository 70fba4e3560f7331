import {
  assessmentConfigSchema,
  BRACKETS,
  type AssessmentConfig,
  type BracketKey,
  type QuestionSet,
} from './config-schema.ts'
import { DEEP_ASSESSMENT_TYPES, isDeepAssessmentType, type DeepAssessmentType } from './types.ts'

/** The deep assessments this process serves, loaded and validated once at start-up. */
export type AssessmentCatalogue = {
  /** The configs present, in the order of `DEEP_ASSESSMENT_TYPES`. */
  readonly configs: readonly AssessmentConfig[]
  /** The deep assessment types that have no config in the folder. */
  readonly missing: readonly DeepAssessmentType[]
  get(type: string): AssessmentConfig | undefined
  questionSet(type: DeepAssessmentType, bracket: BracketKey): QuestionSet | undefined
}

/** A config that failed to load: names the file and every path at fault. */
export class AssessmentConfigError extends Error {
  readonly file: string
  readonly problems: string[]
  constructor(file: string, problems: string[]) {
    super(`Invalid assessment config ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'AssessmentConfigError'
    this.file = file
    this.problems = problems
  }
}

/** Build a catalogue from already-parsed configs (tests, tools). */
export function createCatalogue(configs: AssessmentConfig[]): AssessmentCatalogue {
  const byType = new Map(configs.map((c) => [c.type, c]))
  const ordered = DEEP_ASSESSMENT_TYPES.flatMap((t) => (byType.has(t) ? [byType.get(t)!] : []))
  return {
    configs: ordered,
    missing: DEEP_ASSESSMENT_TYPES.filter((t) => !byType.has(t)),
    get: (type) => (isDeepAssessmentType(type) ? byType.get(type) : undefined),
    questionSet: (type, bracket) => byType.get(type)?.brackets[bracket],
  }
}

/** Parse and validate one config; `file` only names it in errors. */
export function parseAssessmentConfig(file: string, text: string): AssessmentConfig {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new AssessmentConfigError(file, [`not valid JSON: ${(error as Error).message}`])
  }
  const parsed = assessmentConfigSchema.safeParse(json)
  if (!parsed.success) {
    throw new AssessmentConfigError(
      file,
      parsed.error.issues.map(
        (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
      ),
    )
  }
  const expected = file.replace(/^.*\//, '').replace(/\.json$/, '')
  if (parsed.data.type !== expected)
    throw new AssessmentConfigError(file, [`type: is "${parsed.data.type}" but the file is named ${expected}.json`])
  return parsed.data
}

/** Number of questions in each bracket of a config, in bracket order. */
export function questionCounts(config: AssessmentConfig): Record<BracketKey, number> {
  return Object.fromEntries(
    BRACKETS.map((b) => [b, config.brackets[b].groups.reduce((n, g) => n + g.questions.length, 0)]),
  ) as Record<BracketKey, number>
}
