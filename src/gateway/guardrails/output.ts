import { parseAnswerJson, validatorOf } from '../wire/structured.ts'

/**
 * Output checks on an answer's text: a JSON schema it must satisfy, a maximum length, banned
 * terms (whole words or phrases, any case). Each failing check is named.
 */

export type OutputPolicy = {
  maxChars?: number | undefined
  bannedTerms?: readonly string[] | undefined
  jsonSchema?: Record<string, unknown> | undefined
}

export type OutputFinding = { rule: 'max_chars' | 'banned_terms' | 'json_schema'; detail: string }

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const termPatterns = new WeakMap<readonly string[], RegExp | undefined>()
/** One pattern for the terms (whole words or phrases, any case; global: callers set `lastIndex`). */
export function bannedPattern(terms: readonly string[]): RegExp | undefined {
  if (!termPatterns.has(terms)) {
    const words = terms.map((t) => t.trim()).filter(Boolean)
    termPatterns.set(
      terms,
      words.length > 0
        ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'giu')
        : undefined,
    )
  }
  return termPatterns.get(terms)
}

/** Whether a JSON schema can be checked (an unusable one is refused when the config loads). */
export const schemaUsable = (schema: Record<string, unknown>) => validatorOf(schema) !== undefined

/**
 * The checks `text` fails. `toolText` (the answer's tool-call arguments) is model output too: it is
 * searched for banned terms, but is not the answer text that the length and schema apply to.
 */
export function checkOutput(text: string, policy: OutputPolicy, toolText = ''): OutputFinding[] {
  const findings: OutputFinding[] = []
  if (policy.maxChars !== undefined && text.length > policy.maxChars)
    findings.push({ rule: 'max_chars', detail: `${text.length} characters, at most ${policy.maxChars}` })
  const banned = policy.bannedTerms ? bannedPattern(policy.bannedTerms) : undefined
  if (banned) {
    const words = (source: string) => [...source.matchAll(banned)].map((m) => m[0].toLowerCase())
    const inText = words(text)
    const hits = [...new Set([...inText, ...words(toolText)])]
    if (hits.length > 0)
      findings.push({
        rule: 'banned_terms',
        detail: `contains ${hits.join(', ')}${inText.length === 0 ? ' (in tool-call arguments)' : ''}`,
      })
  }
  if (policy.jsonSchema) {
    const json = parseAnswerJson(text)
    if (!json.ok) findings.push({ rule: 'json_schema', detail: 'the answer is not valid JSON' })
    else {
      const result = validatorOf(policy.jsonSchema)?.safeParse(json.value)
      if (result && !result.success) {
        const issue = result.error.issues[0]
        findings.push({
          rule: 'json_schema',
          detail: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'does not match the schema'}`,
        })
      }
    }
  }
  return findings
}
