import { useState } from 'react'
import { api, ApiError } from '../api/client.ts'
import type { Commentary, Lever, Levers, Simulation, SimulationInput } from '../api/types.ts'
import { Card, Empty, Failure, Spinner } from '../components/ui.tsx'
import { humanize, useAsync } from '../hooks.ts'

const money = (n: number) =>
  n.toLocaleString(undefined, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 })
const signed = (n: number, unit = '') => `${n > 0 ? '+' : ''}${n.toFixed(1)}${unit}`

export function GrowthStudioPage() {
  const levers = useAsync(() => api.post<Levers>('/api/growth_studio/levers', {}))
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Growth studio</h1>
          <p className="muted">
            Your five growth levers, and what-if scenarios for improving strategy, process and technology.
          </p>
        </div>
      </div>
      <div className="grid two">
        <Card title="Growth levers">
          {levers.error ? (
            <Failure error={levers.error} what="Growth levers" />
          ) : !levers.data ? (
            <Spinner label="Finding your levers…" />
          ) : (
            <LeverList initial={levers.data.levers} />
          )}
        </Card>
        <Simulator />
      </div>
    </>
  )
}

function LeverList({ initial }: { initial: Lever[] }) {
  const [levers, setLevers] = useState(initial)
  const [error, setError] = useState<string>()
  async function save(id: string, progress: number) {
    try {
      const updated = await api.patch<Lever>(`/api/growth_studio/levers/${id}/progress`, { progress })
      setLevers((ls) => ls.map((l) => (l.id === id ? updated : l)))
      setError(undefined)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not save progress')
    }
  }
  return (
    <div>
      {error && <div className="banner error">{error}</div>}
      {levers.map((l) => (
        <div className="lever" key={l.id} data-testid="lever">
          <div className="lever-head">
            <strong>{l.title}</strong>
            <span className="tags">
              <span className="tag">{humanize(l.targetArea)}</span>
              <span className="tag">{l.effort} effort</span>
            </span>
          </div>
          <span className="muted small">{l.description}</span>
          <span className="small">Impact: {l.expectedImpact}</span>
          <div className="slider" style={{ gridTemplateColumns: '1fr 56px' }}>
            <input
              type="range"
              min={0}
              max={100}
              step={5}
              aria-label={`Progress on ${l.title}`}
              value={l.progress}
              onChange={(e) =>
                setLevers((ls) => ls.map((x) => (x.id === l.id ? { ...x, progress: Number(e.target.value) } : x)))
              }
              onPointerUp={(e) => void save(l.id, Number((e.target as HTMLInputElement).value))}
              onKeyUp={(e) => void save(l.id, Number((e.target as HTMLInputElement).value))}
            />
            <output>{l.progress}%</output>
          </div>
        </div>
      ))}
    </div>
  )
}

const SLIDERS: Array<{
  key: keyof SimulationInput
  label: string
  min: number
  max: number
  step: number
  fmt: (n: number) => string
}> = [
  { key: 'strategyChange', label: 'Strategy change', min: -2, max: 2, step: 0.1, fmt: (n) => signed(n) },
  { key: 'processChange', label: 'Process change', min: -2, max: 2, step: 0.1, fmt: (n) => signed(n) },
  { key: 'technologyChange', label: 'Technology change', min: -2, max: 2, step: 0.1, fmt: (n) => signed(n) },
  { key: 'efficiency', label: 'Current efficiency', min: 0, max: 100, step: 1, fmt: (n) => `${n}%` },
]

function Simulator() {
  const [input, setInput] = useState<SimulationInput>({
    strategyChange: 0.5,
    processChange: 0.5,
    technologyChange: 0.5,
    revenue: 1_000_000,
    costs: 700_000,
    efficiency: 60,
  })
  const [sim, setSim] = useState<Simulation>()
  const [commentary, setCommentary] = useState<string>()
  const [error, setError] = useState<ApiError>()
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState<'run' | 'comment'>()

  async function run() {
    setBusy('run')
    setCommentary(undefined)
    try {
      setSim(await api.post<Simulation>('/api/growth_studio/simulation', input))
      setError(undefined)
      setFieldErrors({})
    } catch (e) {
      if (e instanceof ApiError) {
        setError(e)
        setFieldErrors(e.fieldErrors)
      }
    } finally {
      setBusy(undefined)
    }
  }
  async function comment() {
    if (!sim) return
    setBusy('comment')
    try {
      setCommentary((await api.post<Commentary>('/api/growth_studio/commentary', { simulationId: sim.id })).commentary)
    } catch (e) {
      setCommentary(e instanceof ApiError ? `Commentary unavailable: ${e.message}` : 'Commentary unavailable')
    } finally {
      setBusy(undefined)
    }
  }

  if (error?.missing) {
    return (
      <Card title="What-if simulation">
        <Empty title="Simulation is not available yet" />
      </Card>
    )
  }
  const r = sim?.result
  return (
    <Card title="What-if simulation">
      {error && !error.missing && Object.keys(fieldErrors).length === 0 && <Failure error={error} what="Simulation" />}
      <div className="slider">
        <label htmlFor="sim-revenue">Annual revenue ($)</label>
        <input
          id="sim-revenue"
          type="number"
          min={0}
          step={10000}
          value={input.revenue}
          onChange={(e) => setInput({ ...input, revenue: Number(e.target.value) })}
        />
        <span />
      </div>
      <div className="slider">
        <label htmlFor="sim-costs">Annual costs ($)</label>
        <input
          id="sim-costs"
          type="number"
          min={0}
          step={10000}
          value={input.costs}
          onChange={(e) => setInput({ ...input, costs: Number(e.target.value) })}
        />
        <span />
      </div>
      {SLIDERS.map((s) => (
        <div className="slider" key={s.key}>
          <label htmlFor={`sim-${s.key}`}>{s.label}</label>
          <input
            id={`sim-${s.key}`}
            type="range"
            min={s.min}
            max={s.max}
            step={s.step}
            value={input[s.key]}
            onChange={(e) => setInput({ ...input, [s.key]: Number(e.target.value) })}
          />
          <output>{s.fmt(input[s.key])}</output>
        </div>
      ))}
      {Object.entries(fieldErrors).map(([k, v]) => (
        <div className="field-error" key={k}>
          {humanize(k)}: {v}
        </div>
      ))}
      <div className="row end">
        <button className="btn primary" onClick={run} disabled={busy !== undefined}>
          {busy === 'run' ? 'Running…' : 'Run simulation'}
        </button>
      </div>
      {r && (
        <div className="stack" style={{ marginTop: 16 }} data-testid="simulation-result">
          <div className="kpis">
            <div className="kpi">
              <span>Revenue impact</span>
              <strong>{money(r.revenueImpact)}</strong>
              <div className="muted small">{signed(r.revenueImpactPct, '%')}</div>
            </div>
            <div className="kpi">
              <span>Cost savings</span>
              <strong>{money(r.costSavings)}</strong>
              <div className="muted small">{signed(r.costSavingsPct, '%')}</div>
            </div>
            <div className="kpi">
              <span>Projected profit</span>
              <strong>{money(r.projected.profit)}</strong>
              <div className="muted small">from {money(r.baseline.profit)}</div>
            </div>
          </div>
          {commentary ? (
            <div className="commentary" data-testid="commentary">
              {commentary}
            </div>
          ) : (
            <div className="row end">
              <button className="btn" onClick={comment} disabled={busy !== undefined}>
                {busy === 'comment' ? 'Writing…' : 'Get executive commentary'}
              </button>
            </div>
          )}
        </div>
      )}
    </Card>
  )
}
