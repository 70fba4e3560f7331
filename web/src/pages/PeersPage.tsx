import { useQuery } from '@tanstack/react-query'
import { api } from '../api/client.ts'
import { fmtPct, humanize } from '../lib/format.ts'
import { Page } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { Card, Empty, ErrorState, Skeleton } from '../components/ui.tsx'
import { PeerBenchmarks } from '../features/peers/PeerBenchmarks.tsx'

/** Peers: your place in each area, the businesses most like yours, and what your industry is good at. */
export default function PeersPage() {
  const similar = useQuery({ queryKey: [...keys.peers, 'similar'], queryFn: () => api.get('/api/peers/similar') })
  const industry = useQuery({
    queryKey: [...keys.peers, 'analytics'],
    queryFn: () => api.get('/api/peers/analytics'),
  })
  return (
    <Page
      title="Peers"
      lead="How you compare with similar businesses. Peers stay anonymous; small groups are never shown."
    >
      <Card title="Your place among peers" testId="peers-benchmarks">
        <PeerBenchmarks />
      </Card>
      <div className="grid two">
        <Card title="Businesses most like yours" testId="similar-peers">
          {similar.error ? (
            <ErrorState error={similar.error} what="Similar businesses" retry={() => similar.refetch()} />
          ) : !similar.data ? (
            <Skeleton lines={4} />
          ) : similar.data.peers.length === 0 ? (
            <Empty title="No similar businesses yet">{similar.data.explanation}</Empty>
          ) : (
            <ul className="insight-list">
              {similar.data.peers.map((p, i) => (
                <li key={i}>
                  <strong>
                    {p.industry ?? 'Industry not given'} · {p.sizeBand ?? 'size not given'}
                    {p.demo ? ' (demo)' : ''}
                  </strong>
                  <span className="muted small">
                    {fmtPct(p.similarity, 0)} alike · shares{' '}
                    {p.sharedAssessments.map(humanize).join(', ') || 'no assessments'}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Your industry" testId="industry-peers">
          {industry.error ? (
            <ErrorState error={industry.error} what="Industry figures" retry={() => industry.refetch()} />
          ) : !industry.data ? (
            <Skeleton lines={4} />
          ) : industry.data.status !== 'ok' ? (
            <Empty title={industry.data.status === 'no_industry' ? 'Set your industry first' : 'Not enough peers yet'}>
              {industry.data.explanation ??
                (industry.data.needed ? `${industry.data.needed} more businesses are needed.` : undefined)}
            </Empty>
          ) : (
            <div className="grid two">
              <div>
                <h3>Often strong</h3>
                <ul className="bullets">
                  {industry.data.strengths.map((s) => (
                    <li key={s.area}>
                      {humanize(s.area)} ({fmtPct(s.share, 0)})
                    </li>
                  ))}
                </ul>
              </div>
              <div>
                <h3>Often weak</h3>
                <ul className="bullets">
                  {industry.data.weaknesses.map((s) => (
                    <li key={s.area}>
                      {humanize(s.area)} ({fmtPct(s.share, 0)})
                    </li>
                  ))}
                </ul>
              </div>
            </div>
          )}
        </Card>
      </div>
    </Page>
  )
}
