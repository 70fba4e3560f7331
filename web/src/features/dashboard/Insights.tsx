import { Link } from 'react-router'
import type { Dashboard } from '../../api/types.ts'
import { Feedback, ItemFeedback } from '../../components/Feedback.tsx'
import { Card, Empty, Source } from '../../components/ui.tsx'
import { PeerBenchmarks } from '../peers/PeerBenchmarks.tsx'
import type { insightModal } from '../../modals/InsightModal.tsx'

/** The dashboard's AI insights: strengths, weaknesses, roadmap, each labelled with who produced it and rated. */
export function Insights({
  d,
  open,
  onPlan,
}: {
  d: Dashboard
  open: (i: Parameters<typeof insightModal>[0]) => void
  onPlan: () => void
}) {
  const meta = { provider: d.provider, generatedAt: d.generatedAt, requestId: d.requestId }
  const source = <Source provider={d.provider} at={d.generatedAt} />
  return (
    <>
      <div className="grid two">
        <Card title="Strengths" actions={source} testId="strengths">
          <List
            items={d.strengths}
            empty={
              Object.keys(d.scores.areas).length === 0
                ? 'Complete the growth assessment to see your strengths.'
                : 'No area stands out as a strength yet: a strength scores 3.0 or more and is clearly above your other areas.'
            }
            onOpen={(i) => open({ ...meta, kind: 'Strength', title: i.title, description: i.impact })}
            provider={d.provider}
            requestId={d.requestId}
            part="strengths"
          />
          {d.strengths.length > 0 && <Feedback requestId={d.requestId} compact about="Strengths" item="strengths" />}
        </Card>
        <Card title="Weaknesses" actions={source} testId="weaknesses">
          <List
            items={d.weaknesses}
            empty="Nothing stands out yet."
            onOpen={(i) =>
              open({
                ...meta,
                kind: 'Weakness',
                title: i.title,
                description: i.impact,
                recommendations: d.roadmap.slice(0, 2).map((r) => r.task),
              })
            }
            provider={d.provider}
            requestId={d.requestId}
            part="weaknesses"
          />
          {d.weaknesses.length > 0 && <Feedback requestId={d.requestId} compact about="Weaknesses" item="weaknesses" />}
        </Card>
      </div>
      <Card
        title="Roadmap"
        testId="roadmap"
        actions={
          <>
            {source}
            <button type="button" className="btn small" onClick={onPlan} disabled={d.roadmap.length === 0}>
              Plan it
            </button>
          </>
        }
      >
        {d.roadmap.length === 0 ? (
          <Empty title="No roadmap yet">Take an assessment; a roadmap follows from your scores.</Empty>
        ) : (
          <ol className="roadmap">
            {d.roadmap.map((r, i) => (
              <li key={i}>
                <strong>{r.task}</strong>
                <span className="muted">{r.expectedImpact}</span>
                <span className="tags">
                  <span className="tag">{r.owner}</span>
                  <span className="tag">{r.timeframe}</span>
                  <Source provider={d.provider} />
                  <ItemFeedback requestId={d.requestId} item={`roadmap.${i}`} label={r.task} />
                </span>
              </li>
            ))}
          </ol>
        )}
        {d.roadmap.length > 0 && <Feedback requestId={d.requestId} compact about="Roadmap" item="roadmap" />}
      </Card>
      <div className="grid two">
        <Card title="You and your peers" testId="dashboard-peers" actions={<Link to="/peers">All peer figures</Link>}>
          <PeerBenchmarks compact />
        </Card>
        <Card title="Insights" actions={source} testId="insights">
          {d.insights.length === 0 ? (
            <Empty title="No insights yet" />
          ) : (
            <ul className="bullets">
              {d.insights.map((t, i) => (
                <li key={i}>
                  <button
                    type="button"
                    className="linklike"
                    onClick={() =>
                      open({
                        ...meta,
                        kind: 'Insight',
                        title: `Insight ${i + 1}`,
                        description: t,
                        recommendations: d.roadmap.slice(0, 3).map((r) => r.task),
                      })
                    }
                  >
                    {t}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <Feedback requestId={d.requestId} compact about="Insights" item="insights" />
        </Card>
      </div>
    </>
  )
}

function List({
  items,
  empty,
  onOpen,
  provider,
  requestId,
  part,
}: {
  items: Array<{ title: string; impact: string }>
  empty: string
  onOpen: (i: { title: string; impact: string }) => void
  provider: string
  requestId: string
  part: string
}) {
  if (items.length === 0) return <Empty title={empty} />
  return (
    <ul className="insight-list">
      {items.map((i, n) => (
        <li key={n} data-testid="advice-item">
          <button type="button" className="linklike strong" onClick={() => onOpen(i)}>
            {i.title}
          </button>
          <span className="muted">{i.impact}</span>
          <span className="tags">
            <Source provider={provider} />
            <ItemFeedback requestId={requestId} item={`${part}.${n}`} label={i.title} />
          </span>
        </li>
      ))}
    </ul>
  )
}
