import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../../api/client.ts'
import type { AlertRule } from '../../api/types.ts'
import { fmtDateTime, fmtNumber, humanize } from '../../lib/format.ts'
import { keys } from '../../app/query.ts'
import { useToast } from '../../app/toasts.tsx'
import { Card, Empty, ErrorState, Skeleton, TableWrap } from '../../components/ui.tsx'
import { statusTone } from './common.ts'

/** Alerts, live from the stream, with acknowledgement. */
export function Alerts() {
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
        <TableWrap label="Alerts">
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
        </TableWrap>
      )}
    </Card>
  )
}

/** The alert rules, each editable in place. */
export function AlertRules() {
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
