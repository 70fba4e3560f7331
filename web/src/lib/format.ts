/** Numbers and dates in the browser's locale. */
export const fmtScore = (n: number | null | undefined) =>
  n === null || n === undefined
    ? '—'
    : n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
export const fmtNumber = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined ? '—' : n.toLocaleString(undefined, { maximumFractionDigits: digits })
export const fmtPct = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined
    ? '—'
    : n.toLocaleString(undefined, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits })
export const fmtMs = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : `${Math.round(n).toLocaleString()} ms`
export const fmtUsd = (n: number) =>
  n.toLocaleString(undefined, {
    style: 'currency',
    currency: 'USD',
    maximumFractionDigits: n !== 0 && Math.abs(n) < 1 ? 4 : 2,
  })
export const fmtMoney = (n: number) =>
  n.toLocaleString(undefined, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 })
export const fmtDate = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) : '—'
export const fmtDateTime = (iso: string | null | undefined) =>
  iso
    ? new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
    : '—'
export const fmtSigned = (n: number, unit = '') =>
  `${n > 0 ? '+' : ''}${n.toLocaleString(undefined, { maximumFractionDigits: 1, minimumFractionDigits: 1 })}${unit}`
/** Emails are case-insensitive; show them as the server stores them, lowercase. */
export const fmtEmail = (email: string | null | undefined) => (email ?? '').toLowerCase()

const ACRONYMS: Record<string, string> = { ai: 'AI', bpm: 'BPM', ml: 'ML', kpi: 'KPI', kpis: 'KPIs', it: 'IT' }
/** `ai_readiness` → `AI readiness`. */
export const humanize = (key: string) =>
  key
    .split(/[_\s]+/)
    .map((w, i) => ACRONYMS[w.toLowerCase()] ?? (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(' ')

/** Who produced an AI answer, in words. */
export const producedBy = (provider: string | null | undefined) =>
  !provider ? 'unknown source' : provider === 'rules' ? 'the rules engine' : `AI model (${provider})`
