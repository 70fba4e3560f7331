import type { FieldIssue } from '../../errors.ts'
import type { Question, QuestionSet } from './config-schema.ts'
import { contributionOf } from './scoring.ts'

/** An answer as validated: one option value (select), option values (multi_select, rank), or text. */
export type AnswerValue = string | string[]
export type Answers = Record<string, AnswerValue>

export const MAX_TEXT_LENGTH = 1000

export type AnswerCheck = { ok: true; answers: Answers } | { ok: false; issues: FieldIssue[] }

/**
 * Check a submission against the question set it answers and report every offending field at
 * once (`answers.<key>`): missing required answers, unknown keys, options not offered, wrong
 * value types, text over 1,000 characters, more than one value for a select, more selections
 * than allowed, and rankings that are not a full order of the options. On success returns the
 * normalized answers (a select given as a one-element array becomes a string; unanswered optional
 * questions are dropped).
 */
export function validateAnswers(set: QuestionSet, input: unknown): AnswerCheck {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      issues: [{ field: 'answers', message: 'must be an object of question key → answer', code: 'invalid_type' }],
    }
  }
  const given = input as Record<string, unknown>
  const issues: FieldIssue[] = []
  const answers: Answers = {}
  const questions = questionsOf(set)

  for (const key of Object.keys(given)) {
    if (!questions.has(key))
      issues.push({
        field: `answers.${key}`,
        message: 'is not a question of this assessment',
        code: 'unknown_question',
      })
  }
  for (const [key, question] of questions) {
    const field = `answers.${key}`
    const value = given[key]
    if (isEmpty(value)) {
      if (question.required) issues.push({ field, message: 'is required', code: 'required' })
      continue
    }
    const result = checkOne(question, value)
    if (typeof result === 'object' && 'message' in result) issues.push({ field, ...result })
    else answers[key] = result
  }
  if (
    issues.length === 0 &&
    !Object.entries(answers).some(([key, answer]) => contributionOf(questions.get(key)!, answer) !== undefined)
  ) {
    issues.push({
      field: 'answers',
      message: 'answer at least one question that is scored (not only text)',
      code: 'required',
    })
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, answers }
}

// Loaded question sets never change: index each once.
const indexed = new WeakMap<QuestionSet, Map<string, Question>>()
const offeredValues = new WeakMap<Question, Set<string>>()

function questionsOf(set: QuestionSet): Map<string, Question> {
  let questions = indexed.get(set)
  if (!questions) {
    questions = new Map(set.groups.flatMap((g) => g.questions.map((q) => [q.key, q] as const)))
    indexed.set(set, questions)
  }
  return questions
}

function offeredOf(question: Question): Set<string> {
  let offered = offeredValues.get(question)
  if (!offered) {
    offered = new Set((question.options ?? []).map((o) => o.value))
    offeredValues.set(question, offered)
  }
  return offered
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  )
}

type Problem = { message: string; code: string }

function checkOne(question: Question, value: unknown): AnswerValue | Problem {
  const offered = offeredOf(question)
  const notOffered = (v: string): Problem => ({
    message: `"${v.slice(0, 64)}" is not an option of this question`,
    code: 'invalid_option',
  })
  switch (question.type) {
    case 'text_area': {
      if (typeof value !== 'string') return { message: 'must be text', code: 'invalid_type' }
      if (value.length > MAX_TEXT_LENGTH)
        return { message: `must be at most ${MAX_TEXT_LENGTH} characters (got ${value.length})`, code: 'too_long' }
      return value
    }
    case 'select': {
      if (Array.isArray(value)) {
        if (value.length > 1) return { message: 'takes exactly one value', code: 'too_many_values' }
        value = value[0]
      }
      if (typeof value !== 'string') return { message: 'must be one option value', code: 'invalid_type' }
      return offered.has(value) ? value : notOffered(value)
    }
    case 'multi_select':
    case 'rank': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        return { message: 'must be a list of option values', code: 'invalid_type' }
      const list = value as string[]
      const unknown = list.find((v) => !offered.has(v))
      if (unknown !== undefined) return notOffered(unknown)
      if (new Set(list).size !== list.length)
        return { message: 'lists an option more than once', code: 'duplicate_value' }
      if (question.type === 'rank') {
        if (list.length !== offered.size)
          return { message: `must rank all ${offered.size} options, each once`, code: 'invalid_ranking' }
      } else if (question.maxSelections !== undefined && list.length > question.maxSelections) {
        return {
          message: `allows at most ${question.maxSelections} selections (got ${list.length})`,
          code: 'too_many_selections',
        }
      }
      return list
    }
  }
}
