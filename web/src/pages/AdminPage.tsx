import { useState } from 'react'
import { api } from '../api/client.ts'
import type { Alert, Monitoring, ProviderHealth } from '../api/types.ts'
import { Card, Empty, Failure, Spinner } from '../components/ui.tsx'
import { fmtDateTime, humanize, useAsync } from '../hooks.ts'
import { useRealtime } from '../session.tsx'

const WINDOWS = ['1h', '24h', '7d', '30d'] as const
const pct = (n: number) => `${(n * 100).toFixed(1)}%`
const ms = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${Math.round(n)} ms`)
const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`
const statusTone = (s: string) =>
  s === 'healthy' || s === 'closed' || s === 'resolved' ? 'ok' : s === 'degraded' || s === 'half-open' ? 'warn' : 'bad'

export function AdminPage() {
  const [window, setWindow] = useState<(typeof WINDOWS)[number]>('24h')
  const providers = useAsync(() => api.get<ProviderHealth>('/api/admin/ai/providers'))
  const monitoring = useAsync(() => api.get<Monitoring>(`/api/admin/ai-monitoring?window=${window}`), [window])
  const alerts = useAsync(() => api.get<{ alerts: Alert[] }>('/api/admin/alerts'))
  useRealtime(['alert.fired', 'alert.resolved'], () => void alerts.reload())
  const alertList = alerts.data?.alerts ?? []

  return (
    <>
      <div className="page-head">
        <div>
          <h1>AI monitoring</h1>
          <p className="muted">Provider health, traffic, errors, latency and cost of the AI gateway.</p>
        </div>
        <div className="row" role="group" aria-label="Window">
          {WINDOWS.map((w) => (
            <button key={w} className={`btn small${w === window ? ' primary' : ''}`} onClick={() => setWindow(w)}>
              {w}
            </button>
          ))}
        </div>
      </div>

      <Card
        title="Providers"
        actions={
          <button className="btn ghost small" onClick={() => void providers.reload()}>
            Refresh
          </button>
        }
      >
        {providers.error ? (
          <Failure error={providers.error} what="Provider health" />
        ) : !providers.data ? (
          <Spinner />
        ) : providers.data.providers.length === 0 ? (
          <Empty
            title={providers.data.enabled ? 'No providers have served traffic yet' : 'No AI provider is configured'}
          >
            {providers.data.enabled ? null : 'Answers come from the rules engine. Add a provider key to enable AI.'}
          </Empty>
        ) : (
          <table className="table" data-testid="providers">
            <thead>
              <tr>
                <th>Provider</th>
                <th>Status</th>
                <th>Breaker</th>
                <th className="num">Error rate</th>
                <th className="num">p50 latency</th>
                <th>Last success</th>
              </tr>
            </thead>
            <tbody>
              {providers.data.providers.map((p) => (
                <tr key={p.provider}>
                  <td>{p.provider}</td>
                  <td>
                    <span className={`tag ${statusTone(p.status)}`}>{p.status}</span>
                  </td>
                  <td>
                    <span className={`tag ${statusTone(p.breaker)}`}>{p.breaker}</span>
                  </td>
                  <td className="num">{pct(p.recentErrorRate)}</td>
                  <td className="num">{ms(p.p50LatencyMs)}</td>
                  <td>{fmtDateTime(p.lastSuccessAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>

      {monitoring.error ? (
        <Card title="Usage">
          <Failure error={monitoring.error} what="Usage monitoring" />
        </Card>
      ) : !monitoring.data ? (
        <Spinner />
      ) : (
        <>
          <div className="kpis" data-testid="monitoring-totals">
            <Kpi label="Requests" value={monitoring.data.totals.requests.toLocaleString()} />
            <Kpi label="Error rate" value={pct(monitoring.data.totals.errorRate)} />
            {/* 7d and 30d: from the rollups' latency histograms, within 9 % of the exact figure. */}
            <Kpi
              label={monitoring.data.percentiles === 'histogram' ? 'p95 latency (± 9 %)' : 'p95 latency'}
              value={ms(monitoring.data.totals.p95LatencyMs)}
            />
            <Kpi label="Cost" value={usd(monitoring.data.totals.costUsd)} />
            <Kpi label="Cache hits" value={pct(monitoring.data.totals.cacheHitRate)} />
          </div>
          <div className="grid two">
            <Breakdown title="By provider" rows={monitoring.data.byProvider.map((r) => ({ key: r.provider, ...r }))} />
            <Breakdown
              title="By feature"
              rows={monitoring.data.byFeature.map((r) => ({ key: humanize(r.feature), ...r }))}
            />
          </div>
          <Breakdown
            title="By model"
            rows={monitoring.data.byModel.map((r) => ({ key: `${r.provider} · ${r.model}`, ...r }))}
          />
        </>
      )}

      <Card title="Alerts">
        {alerts.error ? (
          <Failure error={alerts.error} what="Alerts" />
        ) : !alerts.data ? (
          <Spinner />
        ) : alertList.length === 0 ? (
          <Empty title="No alerts">All quiet.</Empty>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Status</th>
                <th>Rule</th>
                <th>Message</th>
                <th>Fired</th>
                <th>Resolved</th>
              </tr>
            </thead>
            <tbody>
              {alertList.map((a) => (
                <tr key={a.id}>
                  <td>
                    <span className={`tag ${statusTone(a.status)}`}>{a.status}</span>
                  </td>
                  <td>{a.ruleId}</td>
                  <td>{a.message}</td>
                  <td>{fmtDateTime(a.firedAt)}</td>
                  <td>{fmtDateTime(a.resolvedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
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

type Row = { key: string; requests: number; errorRate: number; p95LatencyMs: number | null; costUsd: number }
function Breakdown({ title, rows }: { title: string; rows: Row[] }) {
  const max = Math.max(1, ...rows.map((r) => r.requests))
  return (
    <Card title={title}>
      {rows.length === 0 ? (
        <Empty title="No traffic in this window" />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th className="num">Requests</th>
              <th className="num">Errors</th>
              <th className="num">p95</th>
              <th className="num">Cost</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <td>
                  {r.key}
                  <div className="progress" style={{ marginTop: 4 }}>
                    <div style={{ width: `${(r.requests / max) * 100}%`, background: 'var(--primary)' }} />
                  </div>
                </td>
                <td className="num">{r.requests.toLocaleString()}</td>
                <td className="num">{pct(r.errorRate)}</td>
                <td className="num">{ms(r.p95LatencyMs)}</td>
                <td className="num">{usd(r.costUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  )
}
