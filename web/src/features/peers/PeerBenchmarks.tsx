import { useQuery } from '@tanstack/react-query'
import type { AreaBenchmark, PeerBenchmarks as Data } from '../../api/types.ts'
import { fmtScore, humanize } from '../../lib/format.ts'
import { queries } from '../../app/queries.ts'
import { PeerRanges } from '../../components/charts.tsx'
import { Empty, ErrorState, Skeleton, TableWrap } from '../../components/ui.tsx'

const GROUP = {
  industry_size: 'your industry and size',
  industry: 'your industry',
  everyone: 'all businesses',
} as const

type Ok = Extract<AreaBenchmark, { status: 'ok' }>
/** 1 → 1st, 12 → 12th, 23 → 23rd. */
export const ordinal = (n: number) => {
  const r = Math.round(n)
  const suffix = r % 100 >= 11 && r % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][r % 10] ?? 'th')
  return `${r}${suffix}`
}

/** Where you stand among peers, area by area: percentile, distribution, or why there is nothing yet. */
export function PeerBenchmarks({ compact }: { compact?: boolean }) {
  const q = useQuery(queries.benchmarks)
  if (q.error) return <ErrorState error={q.error} what="Peer benchmarks" retry={() => q.refetch()} />
  if (!q.data) return <Skeleton lines={4} label="Loading peer benchmarks" />
  return <BenchmarksView data={q.data} compact={compact} />
}

export function BenchmarksView({ data, compact }: { data: Data; compact?: boolean | undefined }) {
  if (data.benchmarks.length === 0)
    return <Empty title="No scores to compare yet">Take the growth assessment to see how you compare.</Empty>
  const ok = data.benchmarks.filter((b): b is Ok => b.status === 'ok')
  return (
    <div className="stack" data-testid="peer-benchmarks">
      {data.cohort === 'demo' && (
        <p className="banner info small">
          Shown against a demo group of businesses while there are too few real peers
          {data.explanation ? `: ${data.explanation}` : '.'}
        </p>
      )}
      {ok.length > 0 && (
        <PeerRanges
          data={ok.map((b) => ({
            area: humanize(b.area),
            p10: b.p10,
            p25: b.p25,
            p50: b.p50,
            p75: b.p75,
            p90: b.p90,
            you: b.score,
          }))}
          label={`Peer distributions: ${ok
            .map(
              (b) =>
                `${humanize(b.area)}: middle half ${fmtScore(b.p25)} to ${fmtScore(b.p75)}, median ${fmtScore(b.p50)}${
                  b.score !== null ? `, you ${fmtScore(b.score)}` : ''
                }`,
            )
            .join('; ')}`}
        />
      )}
      <TableWrap label="Percentiles by area">
        <table className="table stacked">
          <caption className="sr-only">Your scores against your peers, by area</caption>
          <thead>
            <tr>
              <th scope="col">Area</th>
              <th scope="col" className="num">
                You
              </th>
              <th scope="col" className="num">
                Median
              </th>
              <th scope="col">Your place</th>
              {!compact && <th scope="col">Compared with</th>}
            </tr>
          </thead>
          <tbody>
            {data.benchmarks.map((b) => (
              <tr key={b.area} data-testid={`benchmark-${b.area}`}>
                <th scope="row">{humanize(b.area)}</th>
                <td className="num" data-label="You">
                  {fmtScore(b.score)}
                </td>
                <td className="num" data-label="Median">
                  {b.status === 'ok' ? fmtScore(b.p50) : '—'}
                </td>
                <td data-label="Your place">
                  {b.status === 'ok' ? (
                    b.percentile === null ? (
                      'Not scored yet'
                    ) : (
                      `Above ${Math.round(b.percentile)} % of peers (${ordinal(b.percentile)} percentile)`
                    )
                  ) : (
                    <span className="muted" data-testid="not-enough-peers">
                      Not enough peers yet: {b.needed.toLocaleString()} more needed
                    </span>
                  )}
                </td>
                {!compact && (
                  <td className="small muted" data-label="Compared with">
                    {b.group
                      ? `${b.peers.toLocaleString()} in ${GROUP[b.group]}`
                      : `${b.peers.toLocaleString()} so far`}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </div>
  )
}
