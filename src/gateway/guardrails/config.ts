import { z } from 'zod'
import { OptimaliqError } from '../../errors.ts'
import { redactSensitive, SENSITIVE_KINDS, type SensitiveKind } from './detect.ts'
import { schemaUsable } from './output.ts'

/**
 * Guardrails per route or feature, from the `guardrails` key of the `OPTIMALIQ_CONFIG` file. Off by
 * default: a request gets the policy of the route it named, else of its feature, else none.
 */

export const guardrailPolicySchema = z.strictObject({
  /** Redact these kinds (or all with `true`) from every text of the prompt before it leaves. */
  redact: z.union([z.literal(true), z.array(z.enum(SENSITIVE_KINDS)).min(1)]).optional(),
  /** The prompt-injection detector: `flag` records what fired; `block` refuses with 400 naming the rule. */
  injection: z.strictObject({ mode: z.enum(['flag', 'block']) }).optional(),
  /** Checks on a JSON answer's text; `block` (default) refuses the answer, `flag` records and returns it. */
  output: z
    .strictObject({
      maxChars: z.number().int().positive().optional(),
      bannedTerms: z.array(z.string().min(1)).min(1).optional(),
      jsonSchema: z
        .record(z.string(), z.unknown())
        .refine(schemaUsable, 'is not a JSON schema that can be checked')
        .optional(),
      action: z.enum(['block', 'flag']).default('block'),
    })
    .optional(),
})
export type GuardrailPolicy = z.infer<typeof guardrailPolicySchema>

export const guardrailsConfigSchema = z.strictObject({
  routes: z.record(z.string().min(1), guardrailPolicySchema).optional(),
  features: z.record(z.string().min(1), guardrailPolicySchema).optional(),
})
export type GuardrailsConfig = z.infer<typeof guardrailsConfigSchema>

/** The policy of a request: its route's, else its feature's, else none. */
export function policyFor(
  config: GuardrailsConfig | undefined,
  request: { route: string; feature: string },
): GuardrailPolicy | undefined {
  if (!config) return undefined
  return config.routes?.[request.route] ?? config.features?.[request.feature]
}

/** The input redaction of a policy: what replaces each text of the prompt, or undefined when it redacts nothing. */
export function inputRedaction(policy: GuardrailPolicy | undefined): ((text: string) => string) | undefined {
  if (!policy?.redact) return undefined
  const kinds = new Set<SensitiveKind>(policy.redact === true ? SENSITIVE_KINDS : policy.redact)
  return (text) => redactSensitive(text, kinds).text
}

/** What one guardrail did, as the ledger keeps it (`ai_log.guardrails`). */
export type GuardrailResult = {
  guardrail: 'redact' | 'injection' | 'output'
  rule: string
  action: 'redacted' | 'flagged' | 'blocked' | 'skipped'
  count?: number | undefined
  detail?: string | undefined
}

/** A guardrail refused the request (400, before any upstream call) or its answer (422), naming the rule. */
export class GuardrailBlockedError extends OptimaliqError {
  readonly guardrails: GuardrailResult[]
  /** For a refused answer: what it cost, so the ledger still records the spend. */
  spent: unknown
  constructor(
    stage: 'input' | 'output',
    rule: string,
    message: string,
    guardrails: GuardrailResult[],
    /** The request field a refused prompt is named by (`messages`, `input`). */
    field = 'messages',
  ) {
    super('guardrail_blocked', message, {
      status: stage === 'input' ? 400 : 422,
      details: [{ field: stage === 'input' ? field : 'output', rule }],
    })
    this.guardrails = guardrails
  }
}
