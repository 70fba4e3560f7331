import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api } from '../../api/client.ts'
import type { ModelVersion } from '../../api/types.ts'
import { humanize } from '../../lib/format.ts'
import { Card, Empty, ErrorState, Skeleton, TableWrap } from '../../components/ui.tsx'
import { statusTone } from './common.ts'

/** Model versions per feature: promote to active, retire. */
export function Versions() {
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
        <TableWrap label="Model versions">
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
        </TableWrap>
      )}
    </Card>
  )
}
