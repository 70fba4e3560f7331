import { useQuery } from '@tanstack/react-query'
import { api } from '../../api/client.ts'
import { fmtDateTime, fmtMs, fmtPct } from '../../lib/format.ts'
import { keys } from '../../app/query.ts'
import { useLive } from '../../app/session.tsx'
import { Card, Empty, ErrorState, Skeleton, TableWrap } from '../../components/ui.tsx'
import { statusTone } from './common.ts'

/**
 * Provider health from live traffic, each provider's breaker and each model's. Live: a
 * `provider.health` event (a breaker or a status changed) or `ai.usage` (new traffic) re-reads it.
 * While the stream is open a slow re-read every minute still refreshes what raises no event (an
 * idle provider's probe: its last success and latency); every 15 s while the stream is down.
 */
export function Providers() {
  const live = useLive().status
  const providers = useQuery({
    queryKey: keys.adminProviders,
    queryFn: () => api.get('/api/admin/ai/providers'),
    refetchInterval: live === 'open' ? 60_000 : 15_000,
  })
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
        <TableWrap label="Providers">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Health</th>
                <th scope="col">Breaker</th>
                <th scope="col">Models and their breakers</th>
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
                  <td>
                    {p.models && p.models.length > 0 ? (
                      <ul className="plain tags" data-testid="provider-models">
                        {p.models.map((m) => (
                          <li key={m.model}>
                            <span className="small">{m.model}</span>{' '}
                            <span className={`tag ${statusTone(m.breaker)}`}>{m.breaker}</span>
                          </li>
                        ))}
                      </ul>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="num">{fmtPct(p.recentErrorRate)}</td>
                  <td className="num">{fmtMs(p.p50LatencyMs)}</td>
                  <td>{fmtDateTime(p.lastSuccessAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Card>
  )
}
