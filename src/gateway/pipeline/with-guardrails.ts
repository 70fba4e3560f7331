import { inputRedaction, policyFor, GuardrailBlockedError, type GuardrailResult } from '../guardrails/config.ts'
import { redactSensitive, SENSITIVE_KINDS, type SensitiveKind } from '../guardrails/detect.ts'
import { detectInjection } from '../guardrails/injection.ts'
import { checkOutput, type OutputFinding } from '../guardrails/output.ts'
import { checkStream } from '../guardrails/output-stream.ts'
import { metaOf } from './meta.ts'
import type { Middleware, PipelineDeps, Settlement } from './types.ts'

/**
 * Guardrails per route or feature (off by default): before the call, personal data and secrets are
 * redacted from the prompt and the prompt-injection detector runs (flag, or block: 400 naming the
 * rule); after it, the answer's text is checked (schema, length, banned terms — these also in
 * tool-call arguments: block or flag) — a
 * JSON answer whole, a stream as it streams (`guardrails/output-stream.ts`). What fired goes to the
 * ledger with the settlement (`ai_log.guardrails`).
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
    const redaction = inputRedaction(policy)
    if (redaction && policy.redact && prompt) {
      const kinds = new Set<SensitiveKind>(policy.redact === true ? SENSITIVE_KINDS : policy.redact)
      const totals = new Map<SensitiveKind, number>()
      for (const { text } of texts)
        for (const [kind, n] of Object.entries(redactSensitive(text, kinds).found))
          totals.set(kind as SensitiveKind, (totals.get(kind as SensitiveKind) ?? 0) + n)
      for (const [kind, count] of totals) results.push({ guardrail: 'redact', rule: kind, action: 'redacted', count })
      if (totals.size > 0)
        forward = {
          ...request,
          call: prompt.rewrite(redaction),
          // The semantic cache embeds the prompt upstream too: the redacted one.
          semantic: request.semantic && { ...request.semantic, text: redaction(request.semantic.text) },
        }
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
          prompt.field,
        )
    }
    const answer = await next(forward)
    const output = policy.output
    const withResults = (settled: Promise<Settlement>) =>
      settled.then((s) => ({ ...s, guardrails: [...(s.guardrails ?? []), ...results] }))
    if (!output) return { ...answer, settled: withResults(answer.settled) }
    const action = output.action === 'block' ? 'blocked' : 'flagged'
    const refusal = (first: OutputFinding) =>
      new GuardrailBlockedError(
        'output',
        first.rule,
        `The answer was blocked by the output guardrail (rule ${first.rule}: ${first.detail})`,
        results,
      )
    if (request.stream) {
      if (!request.streamText) {
        results.push({
          guardrail: 'output',
          rule: 'output',
          action: 'skipped',
          detail: 'this entry does not expose its streamed text',
        })
        return { ...answer, settled: withResults(answer.settled) }
      }
      const source = answer.value as AsyncIterable<string>
      const checked = checkStream(
        source,
        output,
        request.streamText,
        (finding) => {
          results.push({ guardrail: 'output', rule: finding.rule, action, detail: finding.detail })
          return refusal(finding)
        },
        request.streamToolText,
      )
      // A stream that names its own error event (Responses numbers its events) keeps it.
      const value = Object.assign(checked.value, pick(source, 'errorEvent'))
      const settled = Promise.all([answer.settled, checked.findings]).then(([s, found]) => {
        if (!found.blocked)
          for (const f of found.findings) results.push({ guardrail: 'output', rule: f.rule, action, detail: f.detail })
        const first = found.blocked ? found.findings[0] : undefined
        return {
          ...s,
          // Refused mid-stream: the upstream was cancelled, but the refusal is what happened.
          error: first ? { errorClass: 'guardrail_blocked', message: refusal(first).message } : s.error,
          guardrails: [...(s.guardrails ?? []), ...results],
        }
      })
      return { ...answer, value: value as typeof answer.value, settled }
    }
    if (!request.outputText) {
      results.push({
        guardrail: 'output',
        rule: 'output',
        action: 'skipped',
        detail: 'this entry does not expose its answer text',
      })
      return { ...answer, settled: withResults(answer.settled) }
    }
    const findings = checkOutput(request.outputText(answer.value), output, request.outputToolText?.(answer.value) ?? '')
    for (const f of findings) results.push({ guardrail: 'output', rule: f.rule, action, detail: f.detail })
    const [first] = findings
    if (first && action === 'blocked') {
      const error = refusal(first)
      error.spent = metaOf(deps, request, answer, await answer.settled)
      throw error
    }
    return { ...answer, settled: withResults(answer.settled) }
  }
}

/** `key` of `value` when it has one (a property to carry over to a wrapper). */
function pick(value: object, key: string): Record<string, unknown> {
  return key in value ? { [key]: (value as Record<string, unknown>)[key] } : {}
}
