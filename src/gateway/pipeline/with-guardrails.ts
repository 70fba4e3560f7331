import { policyFor, GuardrailBlockedError, type GuardrailResult } from '../guardrails/config.ts'
import { redactSensitive, SENSITIVE_KINDS, type SensitiveKind } from '../guardrails/detect.ts'
import { detectInjection } from '../guardrails/injection.ts'
import { checkOutput } from '../guardrails/output.ts'
import { metaOf } from './meta.ts'
import type { Middleware, PipelineDeps } from './types.ts'

/**
 * Guardrails per route or feature (off by default): before the call, personal data and secrets are
 * redacted from the prompt and the prompt-injection detector runs (flag, or block: 400 naming the
 * rule); after it, a JSON answer's text is checked (schema, length, banned terms: block or flag).
 * What fired goes to the ledger with the settlement (`ai_log.guardrails`).
 */
export function withGuardrails(deps: Pick<PipelineDeps, 'guardrails' | 'catalog'>): Middleware {
  return async (request, next) => {
    const policy = policyFor(deps.guardrails, request)
    if (!policy) return next(request)
    const results: GuardrailResult[] = []
    const prompt = request.prompt
    const texts = prompt?.texts() ?? []
    let forward = request
    if ((policy.redact || policy.injection) && !prompt)
      results.push({
        guardrail: policy.redact ? 'redact' : 'injection',
        rule: 'input',
        action: 'skipped',
        detail: 'this entry does not expose its prompt',
      })
    if (policy.redact && prompt) {
      const kinds = new Set<SensitiveKind>(policy.redact === true ? SENSITIVE_KINDS : policy.redact)
      const totals = new Map<SensitiveKind, number>()
      for (const { text } of texts)
        for (const [kind, n] of Object.entries(redactSensitive(text, kinds).found))
          totals.set(kind as SensitiveKind, (totals.get(kind as SensitiveKind) ?? 0) + n)
      for (const [kind, count] of totals) results.push({ guardrail: 'redact', rule: kind, action: 'redacted', count })
      if (totals.size > 0) forward = { ...request, call: prompt.rewrite((text) => redactSensitive(text, kinds).text) }
    }
    if (policy.injection && prompt) {
      const fired = new Set<string>()
      // The system prompt is the caller's own; user text, tool results and earlier turns are scanned.
      for (const { role, text } of texts)
        if (role !== 'system' && role !== 'developer') for (const rule of detectInjection(text)) fired.add(rule)
      const action = policy.injection.mode === 'block' ? 'blocked' : 'flagged'
      for (const rule of fired) results.push({ guardrail: 'injection', rule, action })
      const [first] = fired
      if (first && action === 'blocked')
        throw new GuardrailBlockedError(
          'input',
          first,
          `The prompt was blocked by the prompt-injection guardrail (rule ${first})`,
          results,
        )
    }
    const answer = await next(forward)
    if (policy.output) {
      if (!request.outputText || request.stream)
        results.push({
          guardrail: 'output',
          rule: 'output',
          action: 'skipped',
          detail: 'streamed answers are not checked',
        })
      else {
        const findings = checkOutput(request.outputText(answer.value), policy.output)
        const action = policy.output.action === 'block' ? 'blocked' : 'flagged'
        for (const f of findings) results.push({ guardrail: 'output', rule: f.rule, action, detail: f.detail })
        const [first] = findings
        if (first && action === 'blocked') {
          const error = new GuardrailBlockedError(
            'output',
            first.rule,
            `The answer was blocked by the output guardrail (rule ${first.rule}: ${first.detail})`,
            results,
          )
          error.spent = metaOf(deps, request, answer, await answer.settled)
          throw error
        }
      }
    }
    return {
      ...answer,
      settled: answer.settled.then((s) => ({ ...s, guardrails: [...(s.guardrails ?? []), ...results] })),
    }
  }
}
