import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api } from '../../api/client.ts'
import type { Experiment } from '../../api/types.ts'
import { fmtMs, fmtNumber, fmtPct, humanize } from '../../lib/format.ts'
import { useToast } from '../../app/toasts.tsx'
import { Card, Empty, ErrorState, Skeleton, TableWrap } from '../../components/ui.tsx'
import { statusTone } from './common.ts'
import { NewExperiment } from './NewExperiment.tsx'

/** Experiments: per-variant metrics with significance against the control, promote, roll back. */
/** Start an experiment, in its own card. */
export function ExperimentCreator() {
  return (
    <Card title="New experiment" testId="new-experiment">
      <NewExperiment />
    </Card>
  )
}

export function Experiments() {
  const client = useQueryClient()
  const { notify } = useToast()
  const experiments = useQuery({ queryKey: ['admin', 'experiments'], queryFn: () => api.get('/api/admin/experiments') })
  const versions = useQuery({ queryKey: ['admin', 'versions'], queryFn: () => api.get('/api/admin/model-versions') })
  const nameOf = (id: string) => {
    const v = versions.data?.versions.find((x) => x.id === id)
    return v ? `${v.provider} · ${v.model} · ${v.promptVersion}` : id.slice(0, 8)
  }
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
        <Empty title="No experiments">Start one below to split a feature’s traffic between model versions.</Empty>
      ) : (
        <div className="stack">
          {list.map((e) => (
            <ExperimentRow
              key={e.id}
              e={e}
              nameOf={nameOf}
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
  nameOf,
  busy,
  onPromote,
  onRollback,
}: {
  e: Experiment
  busy: boolean
  nameOf: (versionId: string) => string
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
      <TableWrap label={`Variants of ${humanize(e.feature)}`}>
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
                  {nameOf(v.versionId)}
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
                      aria-label={`Promote version ${nameOf(v.versionId)}`}
                    >
                      Promote
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  )
}
