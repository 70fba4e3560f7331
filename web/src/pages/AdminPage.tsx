import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import * as Tabs from '@radix-ui/react-tabs'
import { useState } from 'react'
import { api } from '../api/client.ts'
import type { AlertRule, Experiment, ModelVersion, Monitoring } from '../api/types.ts'
import { fmtDateTime, fmtEmail, fmtMs, fmtNumber, fmtPct, fmtUsd, humanize } from '../app/format.ts'
import { Page } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { useLive } from '../app/session.tsx'
import { useToast } from '../app/toasts.tsx'
import { Series } from '../components/charts.tsx'
import { Card, Empty, ErrorState, Skeleton } from '../components/ui.tsx'

const WINDOWS = ['1h', '24h', '7d', '30d'] as const
type Window = (typeof WINDOWS)[number]
const statusTone = (s: string | null) =>
  s === 'healthy' || s === 'closed' || s === 'resolved' || s === 'active' || s === 'promoted'
    ? 'ok'
    : s === 'degraded' || s === 'half-open' || s === 'candidate' || s === 'running'
      ? 'warn'
      : 'bad'

/** The AI monitoring console: health, traffic, costs, alerts, versions and experiments — refreshed by the event stream. */
export default function AdminPage() {
  const [window, setWindow] = useState<Window>('24h')
  const { status } = useLive()
  return (
    <Page
      title="AI monitoring"
      lead={`Provider health, traffic, errors, latency and cost of the AI gateway. ${status === 'open' ? 'Live.' : 'Not live: refresh to update.'}`}
      actions={
        <div className="segmented" role="radiogroup" aria-label="Time window">
          {WINDOWS.map((w) => (
            <button
              key={w}
              type="button"
              role="radio"
              aria-checked={w === window}
              className={`btn small${w === window ? ' primary' : ''}`}
              onClick={() => setWindow(w)}
            >
              {w}
            </button>
          ))}
        </div>
      }
    >
      <Tabs.Root defaultValue="overview" className="tabs">
        <Tabs.List className="tab-list" aria-label="Monitoring sections">
          <Tabs.Trigger value="overview">Overview</Tabs.Trigger>
          <Tabs.Trigger value="alerts">Alerts</Tabs.Trigger>
          <Tabs.Trigger value="versions">Versions & experiments</Tabs.Trigger>
          <Tabs.Trigger value="users">Users</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="overview" className="stack">
          <Providers />
          <Usage window={window} />
        </Tabs.Content>
        <Tabs.Content value="alerts" className="stack">
          <Alerts />
          <AlertRules />
        </Tabs.Content>
        <Tabs.Content value="versions" className="stack">
          <Experiments />
          <Versions />
        </Tabs.Content>
        <Tabs.Content value="users" className="stack">
          <Users />
        </Tabs.Content>
      </Tabs.Root>
    </Page>
  )
}

function Providers() {
  const providers = useQuery({ queryKey: keys.adminProviders, queryFn: () => api.get('/api/admin/ai/providers') })
  return (
    <Card
      title="Providers"
      actions={
        <button className="btn ghost small" onClick={() => void providers.refetch()}>
          Refresh
        </button>
      }
    >
      {providers.error ? (
        <ErrorState error={providers.error} what="Provider health" retry={() => providers.refetch()} />
      ) : !providers.data ? (
        <Skeleton lines={3} />
      ) : providers.data.providers.length === 0 ? (
        <Empty title={providers.data.enabled ? 'No providers have served traffic yet' : 'No AI provider is configured'}>
          {providers.data.enabled ? null : 'Answers come from the rules engine. Add a provider key to enable AI.'}
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Health</th>
                <th scope="col">Breaker</th>
                <th scope="col" className="num">
                  Recent errors
                </th>
                <th scope="col" className="num">
                  p50 latency
                </th>
                <th scope="col">Last success</th>
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
                  <td className="num">{fmtPct(p.recentErrorRate)}</td>
                  <td className="num">{fmtMs(p.p50LatencyMs)}</td>
                  <td>{fmtDateTime(p.lastSuccessAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  )
}

function Usage({ window }: { window: Window }) {
  const monitoring = useQuery({
    queryKey: keys.adminMonitoring(window),
    queryFn: () => api.get('/api/admin/ai-monitoring', { query: { window } }),
    placeholderData: (prev) => prev,
  })
  const usage = useQuery({ queryKey: keys.usage, queryFn: () => api.get('/api/me/ai-usage') })
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
        <Card title="Cost and p95 latency over time">
          {m.series.length === 0 ? (
            <Empty title="No traffic in this window" />
          ) : (
            <Series
              data={m.series}
              lines={[
                { key: 'costUsd', name: 'Cost (USD)' },
                { key: 'p95LatencyMs', name: 'p95 latency (ms)' },
              ]}
              label={`Cost and p95 latency per interval; ${fmtUsd(t.costUsd)} in total`}
            />
          )}
        </Card>
      </div>
      <div className="grid two">
        <Breakdown title="By provider" rows={m.byProvider.map((r) => ({ key: r.provider, ...r }))} />
        <Breakdown title="By feature" rows={m.byFeature.map((r) => ({ key: humanize(r.feature), ...r }))} />
      </div>
      <Breakdown title="By model" rows={m.byModel.map((r) => ({ key: `${r.provider} · ${r.model}`, ...r }))} />
      <div className="grid two">
        <Card title="Budgets">
          {usage.error ? (
            <ErrorState error={usage.error} what="Budgets" retry={() => usage.refetch()} />
          ) : !usage.data ? (
            <Skeleton lines={2} />
          ) : usage.data.budgets.length === 0 && usage.data.limits.length === 0 ? (
            <Empty title="No budgets or limits set">Set AI budgets in the server configuration to cap spending.</Empty>
          ) : (
            <ul className="budget-list">
              {usage.data.budgets.map((b) => (
                <li key={b.budget}>
                  <div className="row between">
                    <span>{humanize(b.budget)}</span>
                    <span>
                      {fmtUsd(b.spentUsd)} of {fmtUsd(b.limitUsd)}
                    </span>
                  </div>
                  <div
                    className="progressbar-track"
                    role="meter"
                    aria-label={`${humanize(b.budget)} spent`}
                    aria-valuemin={0}
                    aria-valuemax={b.limitUsd}
                    aria-valuenow={b.spentUsd}
                  >
                    <div style={{ width: `${Math.min(100, (b.spentUsd / Math.max(b.limitUsd, 1e-9)) * 100)}%` }} />
                  </div>
                </li>
              ))}
              {usage.data.limits.map((l) => (
                <li key={l.limit}>
                  <div className="row between">
                    <span>{humanize(l.limit)}</span>
                    <span>
                      {fmtNumber(l.remaining)} of {fmtNumber(l.max)} left
                    </span>
                  </div>
                </li>
              ))}
            </ul>
          )}
          <p className="small muted">Budgets of this admin account, as the gateway enforces them.</p>
        </Card>
        <Card title="Top users">
          {m.topUsers.length === 0 ? (
            <Empty title="No users in this window" />
          ) : (
            <div className="table-wrap">
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
            </div>
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
        <div className="table-wrap">
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
        </div>
      )}
    </Card>
  )
}

function Alerts() {
  const client = useQueryClient()
  const { notify } = useToast()
  const alerts = useQuery({ queryKey: keys.adminAlerts, queryFn: () => api.get('/api/admin/alerts') })
  const ack = useMutation({
    mutationFn: (id: string) => api.post('/api/admin/alerts/:id/acknowledge', undefined, { params: { id } }),
    onSuccess: () => {
      notify('Alert acknowledged')
      return client.invalidateQueries({ queryKey: keys.adminAlerts })
    },
  })
  const list = alerts.data?.alerts ?? []
  return (
    <Card title="Alerts" testId="alerts">
      {ack.error && <ErrorState error={ack.error} what="Acknowledging" />}
      {alerts.error ? (
        <ErrorState error={alerts.error} what="Alerts" retry={() => alerts.refetch()} />
      ) : !alerts.data ? (
        <Skeleton lines={3} />
      ) : list.length === 0 ? (
        <Empty title="No alerts">All quiet. New alerts appear here as they fire.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Rule</th>
                <th scope="col">Message</th>
                <th scope="col">Fired</th>
                <th scope="col">Acknowledged</th>
              </tr>
            </thead>
            <tbody>
              {list.map((a) => (
                <tr key={a.id} data-testid="alert-row">
                  <td>
                    <span className={`tag ${statusTone(a.status)}`}>{a.status}</span>
                  </td>
                  <td>{a.ruleId}</td>
                  <td>{a.message}</td>
                  <td>{fmtDateTime(a.firedAt)}</td>
                  <td>
                    {a.acknowledgedAt ? (
                      fmtDateTime(a.acknowledgedAt)
                    ) : a.status === 'firing' ? (
                      <button
                        type="button"
                        className="btn small"
                        onClick={() => ack.mutate(a.id)}
                        disabled={ack.isPending}
                        aria-label={`Acknowledge alert: ${a.message}`}
                      >
                        Acknowledge
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  )
}

function AlertRules() {
  const client = useQueryClient()
  const rules = useQuery({ queryKey: ['admin', 'alert-rules'], queryFn: () => api.get('/api/admin/alert-rules') })
  return (
    <Card title="Alert rules">
      {rules.error ? (
        <ErrorState error={rules.error} what="Alert rules" retry={() => rules.refetch()} />
      ) : !rules.data ? (
        <Skeleton lines={3} />
      ) : rules.data.rules.length === 0 ? (
        <Empty title="No alert rules" />
      ) : (
        <ul className="rule-list">
          {rules.data.rules.map((r) => (
            <RuleRow
              key={r.id}
              rule={r}
              onSaved={() => client.invalidateQueries({ queryKey: ['admin', 'alert-rules'] })}
            />
          ))}
        </ul>
      )}
    </Card>
  )
}

function RuleRow({ rule, onSaved }: { rule: AlertRule; onSaved: () => unknown }) {
  const [threshold, setThreshold] = useState(String(rule.threshold))
  const [enabled, setEnabled] = useState(rule.enabled)
  const n = Number(threshold)
  const invalid = threshold.trim() === '' || !Number.isFinite(n) || n < 0
  const save = useMutation({
    mutationFn: () => api.patch('/api/admin/alert-rules/:id', { threshold: n, enabled }, { params: { id: rule.id } }),
    onSuccess: onSaved,
  })
  const id = `rule-${rule.id}`
  return (
    <li className="rule">
      <form
        className="rule-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          if (!invalid) save.mutate()
        }}
      >
        <strong>{humanize(rule.id)}</strong>
        <span className="muted small">
          {humanize(rule.kind)} · over {fmtNumber(rule.windowMinutes)} min
        </span>
        <label htmlFor={`${id}-threshold`}>Threshold</label>
        <input
          id={`${id}-threshold`}
          type="number"
          min={0}
          step="any"
          value={threshold}
          onChange={(e) => setThreshold(e.target.value)}
          aria-invalid={invalid || undefined}
          aria-describedby={invalid ? `${id}-error` : undefined}
        />
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
        </label>
        <button type="submit" className="btn small" disabled={save.isPending || invalid}>
          {save.isPending ? 'Saving…' : save.isSuccess ? 'Saved' : 'Save'}
        </button>
        {invalid && (
          <span className="field-error" id={`${id}-error`}>
            Enter a number of 0 or more
          </span>
        )}
        {save.error && <span className="field-error">{save.error.message}</span>}
      </form>
    </li>
  )
}

function Experiments() {
  const client = useQueryClient()
  const { notify } = useToast()
  const experiments = useQuery({ queryKey: ['admin', 'experiments'], queryFn: () => api.get('/api/admin/experiments') })
  const done = (what: string) => () => {
    notify(what)
    void client.invalidateQueries({ queryKey: ['admin', 'experiments'] })
    void client.invalidateQueries({ queryKey: ['admin', 'versions'] })
  }
  const promote = useMutation({
    mutationFn: (e: { id: string; versionId?: string }) =>
      api.post('/api/admin/experiments/:id/promote', e.versionId ? { versionId: e.versionId } : {}, {
        params: { id: e.id },
      }),
    onSuccess: done('Version promoted'),
  })
  const rollback = useMutation({
    mutationFn: (id: string) => api.post('/api/admin/experiments/:id/rollback', undefined, { params: { id } }),
    onSuccess: done('Rolled back'),
  })
  const list = experiments.data?.experiments ?? []
  return (
    <Card title="Experiments" testId="experiments">
      {(promote.error || rollback.error) && <ErrorState error={promote.error ?? rollback.error} what="That change" />}
      {experiments.error ? (
        <ErrorState error={experiments.error} what="Experiments" retry={() => experiments.refetch()} />
      ) : !experiments.data ? (
        <Skeleton lines={3} />
      ) : list.length === 0 ? (
        <Empty title="No experiments">
          Create one with POST /api/admin/experiments to split a feature’s traffic between model versions.
        </Empty>
      ) : (
        <div className="stack">
          {list.map((e) => (
            <ExperimentRow
              key={e.id}
              e={e}
              busy={promote.isPending || rollback.isPending}
              onPromote={(versionId) => promote.mutate({ id: e.id, versionId })}
              onRollback={() => rollback.mutate(e.id)}
            />
          ))}
        </div>
      )}
    </Card>
  )
}

function ExperimentRow({
  e,
  busy,
  onPromote,
  onRollback,
}: {
  e: Experiment
  busy: boolean
  onPromote: (versionId?: string) => void
  onRollback: () => void
}) {
  return (
    <section className="experiment" data-testid="experiment" aria-label={`Experiment on ${humanize(e.feature)}`}>
      <div className="row between wrap">
        <h3>
          {humanize(e.feature)} <span className={`tag ${statusTone(e.status)}`}>{humanize(e.status)}</span>
        </h3>
        <div className="row wrap">
          {e.status === 'running' && (
            <button type="button" className="btn small primary" onClick={() => onPromote()} disabled={busy}>
              Promote best
            </button>
          )}
          {(e.status === 'running' || e.status === 'promoted') && (
            <button type="button" className="btn small" onClick={onRollback} disabled={busy}>
              {e.status === 'running' ? 'Stop' : 'Roll back'}
            </button>
          )}
        </div>
      </div>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col" className="num">
                Weight
              </th>
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
                Positive
              </th>
              <th scope="col">vs control</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(
              e.metrics ??
              e.variants.map((v) => ({
                ...v,
                requests: 0,
                errorRate: 0,
                p95LatencyMs: null,
                positiveRate: null,
                vsControl: null,
              }))
            ).map((v) => (
              <tr key={v.versionId}>
                <td className="ellipsis">
                  {v.versionId.slice(0, 8)}
                  {e.winnerVersionId === v.versionId && <span className="tag ok">winner</span>}
                </td>
                <td className="num">{fmtNumber(v.weight, 2)}</td>
                <td className="num">{fmtNumber(v.requests)}</td>
                <td className="num">{fmtPct(v.errorRate)}</td>
                <td className="num">{fmtMs(v.p95LatencyMs)}</td>
                <td className="num">{fmtPct(v.positiveRate)}</td>
                <td>
                  {v.vsControl?.errorRate
                    ? `p = ${v.vsControl.errorRate.pValue.toLocaleString(undefined, { maximumFractionDigits: 3 })}${v.vsControl.errorRate.significant ? ' (significant)' : ''}`
                    : '—'}
                </td>
                <td>
                  {e.status === 'running' && (
                    <button
                      type="button"
                      className="btn small"
                      onClick={() => onPromote(v.versionId)}
                      disabled={busy}
                      aria-label={`Promote version ${v.versionId.slice(0, 8)}`}
                    >
                      Promote
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

function Versions() {
  const client = useQueryClient()
  const versions = useQuery({ queryKey: ['admin', 'versions'], queryFn: () => api.get('/api/admin/model-versions') })
  const change = useMutation({
    mutationFn: (v: { id: string; status: ModelVersion['status'] }) =>
      api.patch('/api/admin/model-versions/:id', { status: v.status }, { params: { id: v.id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin', 'versions'] }),
  })
  const list = versions.data?.versions ?? []
  return (
    <Card title="Model versions" testId="versions">
      {change.error && <ErrorState error={change.error} what="That change" />}
      {versions.error ? (
        <ErrorState error={versions.error} what="Model versions" retry={() => versions.refetch()} />
      ) : !versions.data ? (
        <Skeleton lines={3} />
      ) : list.length === 0 ? (
        <Empty title="No model versions">Register one with POST /api/admin/model-versions.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Feature</th>
                <th scope="col">Model</th>
                <th scope="col">Prompt</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((v) => (
                <tr key={v.id} data-testid="version-row">
                  <td>{humanize(v.feature)}</td>
                  <td>
                    {v.provider} · {v.model}
                  </td>
                  <td>{v.promptVersion}</td>
                  <td>
                    <span className={`tag ${statusTone(v.status)}`}>{v.status}</span>
                  </td>
                  <td className="row wrap nomargin">
                    {v.status !== 'active' && (
                      <button
                        type="button"
                        className="btn small"
                        onClick={() => change.mutate({ id: v.id, status: 'active' })}
                        disabled={change.isPending}
                        aria-label={`Promote ${v.model} (${v.promptVersion}) to active`}
                      >
                        Promote
                      </button>
                    )}
                    {v.status === 'active' && (
                      <button
                        type="button"
                        className="btn small"
                        onClick={() => change.mutate({ id: v.id, status: 'retired' })}
                        disabled={change.isPending}
                        aria-label={`Retire ${v.model} (${v.promptVersion})`}
                      >
                        Retire
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  )
}

function Users() {
  const users = useQuery({ queryKey: ['admin', 'users'], queryFn: () => api.get('/api/admin/users') })
  return (
    <Card title="Users and tiers">
      {users.error ? (
        <ErrorState error={users.error} what="Users" retry={() => users.refetch()} />
      ) : !users.data ? (
        <Skeleton lines={4} />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">{users.data.total.toLocaleString()} users</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Tier</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <tr key={u.id}>
                  <td className="ellipsis">{fmtEmail(u.email)}</td>
                  <td>{u.role}</td>
                  <td>{u.tier}</td>
                  <td>{fmtDateTime(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  )
}
