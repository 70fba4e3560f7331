/**
 * Rules-based reading of a document's extracted text: key figures with where they were found,
 * risk signals, and the assessments the text points to. Used when no AI provider answers. No I/O.
 */

export type PageText = { page: number; text: string }
export type KeyFigure = { label: string; value: string; page: number | null; context: string }
export type RiskSignal = { risk: string; page: number | null; evidence: string }

const AMOUNT =
  /(?:[$€£]\s?\d[\d,.]*(?:\s?(?:k|m|bn|million|billion|thousand))?|\d[\d,.]*\s?(?:%|percent|USD|EUR|GBP|dollars|euros))/gi

function sentenceAround(text: string, index: number, length: number): string {
  const start = Math.max(text.lastIndexOf('.', index) + 1, text.lastIndexOf('\n', index) + 1, index - 120)
  const endDot = text.indexOf('.', index + length)
  const endLine = text.indexOf('\n', index + length)
  const end = Math.min(
    ...[endDot === -1 ? text.length : endDot + 1, endLine === -1 ? text.length : endLine, index + length + 120],
  )
  return text.slice(start, end).replace(/\s+/g, ' ').trim()
}

/** The label of a figure: the words just before it on its line (e.g. "Revenue" in "Revenue: $1.2m"). */
function labelBefore(text: string, index: number): string {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1
  const before = text
    .slice(Math.max(lineStart, index - 60), index)
    .split(/[.!?;](?:\s|$)/)
    .pop()!
    .replace(/[:=\-–—(]+\s*$/, '')
    .trim()
  const words = before.split(/\s+/).filter((w) => /[a-z]/i.test(w))
  return (
    words
      .slice(-4)
      .join(' ')
      .replace(/[^\p{L}\p{N} &/'-]/gu, '') || 'figure'
  )
}

/** Money amounts and percentages, in reading order, at most `limit`, each with its page and sentence. */
export function extractKeyFigures(pages: readonly PageText[], limit = 12): KeyFigure[] {
  const out: KeyFigure[] = []
  const seen = new Set<string>()
  for (const { page, text } of pages) {
    for (const match of text.matchAll(AMOUNT)) {
      const value = match[0].trim().replace(/[.,]$/, '')
      if (!/\d/.test(value) || /^\d{1,2}$/.test(value)) continue
      const label = labelBefore(text, match.index)
      const key = `${label}|${value}`
      if (seen.has(key)) continue
      seen.add(key)
      out.push({ label, value, page, context: sentenceAround(text, match.index, match[0].length) })
      if (out.length >= limit) return out
    }
  }
  return out
}

const RISKS: Array<{ risk: string; pattern: RegExp }> = [
  {
    risk: 'Falling revenue or sales',
    pattern:
      /\b(revenue|sales|turnover)\b[^.\n]{0,60}\b(decline|declined|decrease|decreased|fell|down|drop|dropped)\b|\b(decline|decrease|drop)\b[^.\n]{0,30}\b(revenue|sales)\b/i,
  },
  {
    risk: 'Losses or thin margins',
    pattern: /\b(net loss|operating loss|loss of|negative margin|margin (?:fell|declined|decreased)|unprofitable)\b/i,
  },
  {
    risk: 'Cash or liquidity pressure',
    pattern:
      /\b(cash (?:shortfall|burn|flow (?:problem|negative))|negative cash|runway|liquidity|overdraft|going concern)\b/i,
  },
  {
    risk: 'Debt and late payments',
    pattern: /\b(overdue|late payment|arrears|default|debt|loan covenant|unpaid invoices?)\b/i,
  },
  {
    risk: 'Customer churn or concentration',
    pattern:
      /\b(churn|lost (?:a |our )?(?:key |major |largest )?customers?|customer concentration|single customer|cancell?ations?)\b/i,
  },
  {
    risk: 'Contract terms: penalties, termination or liability',
    pattern: /\b(penalt(?:y|ies)|terminat(?:e|ion)|liabilit(?:y|ies)|indemnif\w*|exclusivity|auto-?renew\w*)\b/i,
  },
  {
    risk: 'Compliance or legal exposure',
    pattern: /\b(non-?complian\w*|regulator\w*|lawsuit|litigation|fine[sd]?\b|breach|GDPR)\b/i,
  },
  {
    risk: 'Dependence on key people or suppliers',
    pattern: /\b(key person|single supplier|sole supplier|dependen(?:ce|t) on|shortage|supply chain)\b/i,
  },
]

/** Risk signals found in the text (one per kind, first occurrence). */
export function findRisks(pages: readonly PageText[]): RiskSignal[] {
  const out: RiskSignal[] = []
  for (const { risk, pattern } of RISKS) {
    for (const { page, text } of pages) {
      const match = pattern.exec(text)
      if (match) {
        out.push({ risk, page, evidence: sentenceAround(text, match.index, match[0].length).slice(0, 300) })
        break
      }
    }
  }
  return out
}

const TOPICS: Array<{ assessment: string; pattern: RegExp; why: string }> = [
  {
    assessment: 'sales',
    pattern: /\b(sales|pipeline|deals?|quota|conversion|leads?)\b/gi,
    why: 'the document is much about sales and pipeline',
  },
  {
    assessment: 'marketing_effectiveness',
    pattern: /\b(marketing|campaign|brand|advertis\w*|acquisition cost|CAC|channel)\b/gi,
    why: 'it discusses marketing and customer acquisition',
  },
  {
    assessment: 'customer_experience',
    pattern: /\b(customer satisfaction|NPS|churn|retention|complaints?|support tickets?|customer experience)\b/gi,
    why: 'it touches on customer satisfaction and retention',
  },
  {
    assessment: 'bpm',
    pattern: /\b(process(?:es)?|workflow|operations|efficiency|bottleneck|SOP)\b/gi,
    why: 'it describes operations and processes',
  },
  {
    assessment: 'tech_stack',
    pattern: /\b(software|system|platform|CRM|ERP|tools?|integration|IT)\b/g,
    why: 'it mentions the tools and systems in use',
  },
  {
    assessment: 'ai_readiness',
    pattern: /\b(AI|artificial intelligence|machine learning|automation|data quality)\b/g,
    why: 'it mentions AI, automation or data',
  },
  {
    assessment: 'strategic_maturity',
    pattern: /\b(strategy|strategic|goals?|objectives?|OKRs?|plan|vision)\b/gi,
    why: 'it sets out strategy and goals',
  },
  {
    assessment: 'leadership',
    pattern: /\b(leadership|management team|board|hiring|team|culture|talent)\b/gi,
    why: 'it concerns the team and its leadership',
  },
  {
    assessment: 'competitive_benchmarking',
    pattern: /\b(competitors?|competition|market share|pricing|benchmark\w*)\b/gi,
    why: 'it compares the business with its market',
  },
  {
    assessment: 'digital_transformation',
    pattern: /\b(digital|online|e-?commerce|cloud|paperless|digiti[sz]\w*)\b/gi,
    why: 'it is about digital channels and ways of working',
  },
]

/** Up to three assessments the text points to, most mentioned first, with the reason. */
export function suggestAssessments(
  text: string,
  risks: readonly RiskSignal[],
): Array<{ assessment: string; reason: string }> {
  const scored = TOPICS.map((t) => ({ ...t, hits: text.match(t.pattern)?.length ?? 0 }))
  // Risks point to areas too.
  for (const r of risks) {
    const bump = r.risk.startsWith('Customer')
      ? 'customer_experience'
      : r.risk.startsWith('Falling revenue')
        ? 'sales'
        : r.risk.startsWith('Dependence')
          ? 'bpm'
          : r.risk.startsWith('Cash') || r.risk.startsWith('Losses')
            ? 'strategic_maturity'
            : null
    const topic = scored.find((t) => t.assessment === bump)
    if (topic) topic.hits += 3
  }
  const picked = scored
    .filter((t) => t.hits > 0)
    .sort((a, b) => b.hits - a.hits || a.assessment.localeCompare(b.assessment))
    .slice(0, 3)
  if (picked.length === 0)
    return [
      { assessment: 'strategic_maturity', reason: 'the text gives no clear focus, so start with the overall strategy' },
    ]
  return picked.map((t) => ({
    assessment: t.assessment,
    reason: `${t.why} (${t.hits} mention${t.hits === 1 ? '' : 's'}).`,
  }))
}

/** The first sentences of the text, up to about `max` characters, as an extractive summary. */
export function leadSentences(text: string, max = 400): string {
  const clean = text.replace(/\s+/g, ' ').trim()
  if (clean.length <= max) return clean
  const sentences = clean.match(/[^.!?]+[.!?]+/g) ?? [clean]
  let out = ''
  for (const s of sentences) {
    if ((out + s).length > max) break
    out += s
  }
  return (out || clean.slice(0, max)).trim()
}
