import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../../api/client.ts'
import type { Monitoring, UsageSeries } from '../../api/types.ts'
import type { SeriesPoint } from '../../components/charts.tsx'
import { fmtDateTime, fmtEmail, fmtMs, fmtNumber, fmtPct, fmtUsd, humanize } from '../../lib/format.ts'
import { keys } from '../../app/query.ts'
import { useLive } from '../../app/session.tsx'
import { Bars, Series } from '../../components/charts.tsx'
import { Card, Empty, ErrorState, Skeleton, TableWrap } from '../../components/ui.tsx'
import type { Window } from './common.ts'

/** Traffic, latency, errors, tokens and cost in a window; breakdowns; budgets; top users. */
export function Usage({ window }: { window: Window }) {
  const live = useLive().status
  const monitoring = useQuery({
    queryKey: keys.adminMonitoring(window),
    queryFn: () => api.get('/api/admin/ai-monitoring', { query: { window } }),
    placeholderData: (prev) => prev,
    // The stream's ai.usage events refresh it (app/query.ts); re-read every 15 s only while it is down.
    refetchInterval: live === 'open' ? false : 15_000,
  })
  if (monitoring.error)
    return <ErrorState error={monitoring.error} what="Usage monitoring" retry={() => monitoring.refetch()} />
  const m = monitoring.data
  if (!m)
    return (
      <Card title="Usage">
        <Skeleton lines={5} />
      </Card>
    )
  const t = m.totals
  return (
    <>
      <div className="kpis" data-testid="monitoring-totals">
        <Kpi label="Requests" value={fmtNumber(t.requests)} />
        <Kpi label="Error rate" value={fmtPct(t.errorRate)} />
        <Kpi label="Fallback rate" value={fmtPct(t.fallbackRate)} />
        {/* 7d and 30d: from the rollups' latency histograms, within 9 % of the exact figure. */}
        <Kpi
          label={m.percentiles === 'histogram' ? 'p50 / p95 / p99 (± 9 %)' : 'p50 / p95 / p99'}
          value={`${fmtMs(t.p50LatencyMs)} / ${fmtMs(t.p95LatencyMs)} / ${fmtMs(t.p99LatencyMs)}`}
        />
        <Kpi label="Tokens in / out" value={`${fmtNumber(t.inputTokens)} / ${fmtNumber(t.outputTokens)}`} />
        <Kpi label="Cost" value={fmtUsd(t.costUsd)} />
        <Kpi label="Cache hits" value={fmtPct(t.cacheHitRate)} />
      </div>
      <div className="grid two">
        <Card title="Requests and errors over time">
          {m.series.length === 0 ? (
            <Empty title="No traffic in this window" />
          ) : (
            <Series
              data={m.series}
              lines={[
                { key: 'requests', name: 'Requests' },
                { key: 'errors', name: 'Errors' },
              ]}
              label={`Requests and errors per interval, ${m.series.length} intervals; ${fmtNumber(t.requests)} requests in total`}
            />
          )}
        </Card>
        <Card title="p95 latency over time">
          {m.series.length === 0 ? (
            <Empty title="No traffic in this window" />
          ) : (
            <Series
              data={m.series}
              lines={[{ key: 'p95LatencyMs', name: 'p95 latency (ms)' }]}
              label={`p95 latency per interval; ${fmtMs(t.p95LatencyMs)} over the window`}
            />
          )}
        </Card>
        <Card title="Tokens over time">
          {m.series.length === 0 ? (
            <Empty title="No traffic in this window" />
          ) : (
            <Series
              data={m.series}
              lines={[{ key: 'tokens', name: 'Tokens' }]}
              label={`Tokens per interval; ${fmtNumber(t.inputTokens + t.outputTokens)} in total`}
            />
          )}
        </Card>
        <Card title="Cost over time">
          {m.series.length === 0 ? (
            <Empty title="No traffic in this window" />
          ) : (
            <Series
              data={m.series}
              lines={[{ key: 'costUsd', name: 'Cost (USD)' }]}
              label={`Cost per interval; ${fmtUsd(t.costUsd)} in total`}
            />
          )}
        </Card>
      </div>
      <div className="grid two">
        <Breakdown title="By provider" rows={m.byProvider.map((r) => ({ key: r.provider, ...r }))} />
        <Breakdown title="By feature" rows={m.byFeature.map((r) => ({ key: humanize(r.feature), ...r }))} />
      </div>
      <Breakdown title="By model" rows={m.byModel.map((r) => ({ key: `${r.provider} · ${r.model}`, ...r }))} />
      <UsageOverTime window={window} />
      <CostBars m={m} />
      <div className="grid two">
        <GlobalBudgets />
        <Card title="Top users">
          {m.topUsers.length === 0 ? (
            <Empty title="No users in this window" />
          ) : (
            <TableWrap label="Top users">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col" className="num">
                      Requests
                    </th>
                    <th scope="col" className="num">
                      Cost
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {m.topUsers.map((u) => (
                    <tr key={u.userId}>
                      <td className="ellipsis">{u.email ? fmtEmail(u.email) : u.userId}</td>
                      <td className="num">{fmtNumber(u.requests)}</td>
                      <td className="num">{fmtUsd(u.costUsd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </Card>
      </div>
    </>
  )
}

function Kpi({ label, value }: { label: string; value: string }) {
  return (
    <div className="kpi card">
      <span>{label}</span>
      <strong>{value}</strong>
    </div>
  )
}

type Row = Monitoring['totals'] & { key: string }
function Breakdown({ title, rows }: { title: string; rows: Row[] }) {
  return (
    <Card title={title}>
      {rows.length === 0 ? (
        <Empty title="No traffic in this window" />
      ) : (
        <TableWrap label={title}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Requests
                </th>
                <th scope="col" className="num">
                  Errors
                </th>
                <th scope="col" className="num">
                  p95
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key}>
                  <td>{r.key}</td>
                  <td className="num">{fmtNumber(r.requests)}</td>
                  <td className="num">{fmtPct(r.errorRate)}</td>
                  <td className="num">{fmtMs(r.p95LatencyMs)}</td>
                  <td className="num">{fmtUsd(r.costUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Card>
  )
}

const DIMENSIONS = [
  { id: 'provider', label: 'Provider' },
  { id: 'model', label: 'Model' },
  { id: 'feature', label: 'Feature' },
] as const

const SHOWN = 5

/**
 * Rows for the chart: one per bucket, one column per series (`s0`…, named apart: keys such as
 * "openai/gpt-4.1" are not safe as chart data keys); beyond the five heaviest, "Other".
 */
export function usageRows(data: UsageSeries, measure: 'costUsd' | 'tokens') {
  const value = (p: UsageSeries['series'][number]['points'][number]) =>
    measure === 'costUsd' ? p.costUsd : p.inputTokens + p.outputTokens
  const shown = data.series.slice(0, SHOWN)
  const rest = data.series.slice(SHOWN)
  const lines = [
    ...shown.map((s, i) => ({ key: `s${i}`, name: s.key })),
    ...(rest.length ? [{ key: 'other', name: `Other (${rest.length})` }] : []),
  ]
  const byBucket = new Map<string, SeriesPoint>()
  const row = (bucket: string) => {
    let r = byBucket.get(bucket)
    if (!r) {
      r = { bucket, ...Object.fromEntries(lines.map((l) => [l.key, 0])) }
      byBucket.set(bucket, r)
    }
    return r
  }
  shown.forEach((s, i) => s.points.forEach((p) => (row(p.bucket)[`s${i}`] = value(p))))
  for (const s of rest) for (const p of s.points) row(p.bucket).other = Number(row(p.bucket).other) + value(p)
  const rows = [...byBucket.values()].sort((a, b) => a.bucket.localeCompare(b.bucket))
  return { rows, lines }
}

/** Tokens or cost over time, one line per provider, model or feature (`GET /api/admin/ai-monitoring/series`). */
function UsageOverTime({ window }: { window: Window }) {
  const [by, setBy] = useState<(typeof DIMENSIONS)[number]['id']>('provider')
  const [measure, setMeasure] = useState<'costUsd' | 'tokens'>('costUsd')
  const q = useQuery({
    queryKey: keys.adminUsageSeries(window, by),
    queryFn: () => api.get('/api/admin/ai-monitoring/series', { query: { window, by } }),
    placeholderData: (prev) => prev,
    refetchInterval: useLive().status === 'open' ? false : 15_000,
  })
  const what = measure === 'costUsd' ? 'Cost' : 'Tokens'
  const fmt = (v: number) => (measure === 'costUsd' ? fmtUsd(v) : fmtNumber(v))
  return (
    <Card
      title={`${what} over time by ${by}`}
      testId="usage-over-time"
      actions={
        <>
          <Segmented
            label="Measure over time"
            value={measure}
            options={[
              ['costUsd', 'Cost'],
              ['tokens', 'Tokens'],
            ]}
            onChange={setMeasure}
          />
          <Segmented
            label="Over time, split by"
            value={by}
            options={DIMENSIONS.map((d) => [d.id, d.label])}
            onChange={setBy}
          />
        </>
      }
    >
      {q.error ? (
        <ErrorState error={q.error} what="Usage over time" retry={() => q.refetch()} />
      ) : !q.data ? (
        <Skeleton lines={4} />
      ) : q.data.series.length === 0 ? (
        <Empty title="No traffic in this window" />
      ) : (
        (() => {
          const { rows, lines } = usageRows(q.data, measure)
          const total = (s: UsageSeries['series'][number]) =>
            measure === 'costUsd' ? s.costUsd : s.inputTokens + s.outputTokens
          return (
            <Series
              data={rows}
              lines={lines}
              height={240}
              label={`${what} per ${q.data.bucket} by ${by}: ${q.data.series
                .slice(0, SHOWN)
                .map((s) => `${s.key} ${fmt(total(s))}`)
                .join(', ')}`}
            />
          )
        })()
      )}
    </Card>
  )
}

/** Cost and tokens of the window split by provider, model or feature. */
function CostBars({ m }: { m: Monitoring }) {
  const [by, setBy] = useState<(typeof DIMENSIONS)[number]['id']>('provider')
  const [measure, setMeasure] = useState<'costUsd' | 'tokens'>('costUsd')
  const rows = (
    by === 'provider'
      ? m.byProvider.map((r) => ({ name: r.provider, ...r }))
      : by === 'model'
        ? m.byModel.map((r) => ({ name: r.model, ...r }))
        : m.byFeature.map((r) => ({ name: humanize(r.feature), ...r }))
  ).map((r) => ({ name: r.name, costUsd: r.costUsd, tokens: r.inputTokens + r.outputTokens }))
  const fmt = (v: number) => (measure === 'costUsd' ? fmtUsd(v) : fmtNumber(v))
  return (
    <Card
      title={`${measure === 'costUsd' ? 'Cost' : 'Tokens'} by ${by}`}
      testId="cost-bars"
      actions={
        <>
          <Segmented
            label="Measure"
            value={measure}
            options={[
              ['costUsd', 'Cost'],
              ['tokens', 'Tokens'],
            ]}
            onChange={setMeasure}
          />
          <Segmented label="Split by" value={by} options={DIMENSIONS.map((d) => [d.id, d.label])} onChange={setBy} />
        </>
      }
    >
      {rows.length === 0 ? (
        <Empty title="No traffic in this window" />
      ) : (
        <Bars
          data={rows}
          x="name"
          y={measure}
          label={`${measure === 'costUsd' ? 'Cost' : 'Tokens'} by ${by}: ${rows.map((r) => `${r.name} ${fmt(r[measure])}`).join(', ')}`}
        />
      )}
    </Card>
  )
}

function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string
  value: T
  options: ReadonlyArray<readonly [T, string]>
  onChange: (v: T) => void
}) {
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      {options.map(([v, text]) => (
        <button
          key={v}
          type="button"
          role="radio"
          aria-checked={v === value}
          className={`btn small${v === value ? ' primary' : ''}`}
          onClick={() => onChange(v)}
        >
          {text}
        </button>
      ))}
    </div>
  )
}

/** The install-wide budgets against their limits (`GET /api/admin/budgets`). */
function GlobalBudgets() {
  const q = useQuery({
    queryKey: [...keys.admin, 'budgets'],
    queryFn: () => api.get('/api/admin/budgets'),
    refetchInterval: useLive().status === 'open' ? false : 15_000,
  })
  return (
    <Card title="Budgets" testId="budgets">
      {q.error ? (
        <ErrorState error={q.error} what="Budgets" retry={() => q.refetch()} />
      ) : !q.data ? (
        <Skeleton lines={2} />
      ) : q.data.budgets.length === 0 ? (
        <Empty title="No install-wide budget set">
          Set <code>AI_BUDGETS</code> (global daily or monthly USD) in the server configuration to cap spending.
        </Empty>
      ) : (
        <ul className="budget-list">
          {q.data.budgets.map((b) => {
            const pct = b.limitUsd > 0 ? b.spentUsd / b.limitUsd : 1
            return (
              <li key={b.budget}>
                <div className="row between">
                  <span>
                    {humanize(b.period)} budget{' '}
                    {pct >= 1 ? (
                      <span className="tag bad">exhausted</span>
                    ) : pct >= 0.8 ? (
                      <span className="tag warn">over 80 %</span>
                    ) : null}
                  </span>
                  <span>
                    {fmtUsd(b.spentUsd)} of {fmtUsd(b.limitUsd)}
                  </span>
                </div>
                <div
                  className="progressbar-track"
                  role="meter"
                  aria-label={`${humanize(b.period)} budget spent`}
                  aria-valuemin={0}
                  aria-valuemax={b.limitUsd}
                  aria-valuenow={b.spentUsd}
                  aria-valuetext={`${fmtUsd(b.spentUsd)} of ${fmtUsd(b.limitUsd)}`}
                >
                  <div style={{ width: `${Math.min(100, pct * 100)}%` }} />
                </div>
                <span className="muted small">Resets {fmtDateTime(b.resetAt)}</span>
              </li>
            )
          })}
        </ul>
      )}
    </Card>
  )
}
