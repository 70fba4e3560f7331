import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { experimentCreate } from '../../../../src/contracts/governance.ts'
import { api, ApiError } from '../../api/client.ts'
import { plainIssue } from '../../api/errors.ts'
import { humanize } from '../../lib/format.ts'
import { useToast } from '../../app/toasts.tsx'
import { Empty } from '../../components/ui.tsx'

/**
 * Start an experiment: a feature, two or more of its versions, and how traffic splits between
 * them (weights, relative). Checked with the server's own schema before sending.
 */
export function NewExperiment({ onDone }: { onDone?: () => void }) {
  const id = useId()
  const client = useQueryClient()
  const { notify } = useToast()
  const versions = useQuery({ queryKey: ['admin', 'versions'], queryFn: () => api.get('/api/admin/model-versions') })
  const all = (versions.data?.versions ?? []).filter((v) => v.status !== 'retired')
  const features = [...new Set(all.map((v) => v.feature))].sort()
  const [feature, setFeature] = useState('')
  const [weights, setWeights] = useState<Record<string, string>>({})
  const [error, setError] = useState<string>()
  const create = useMutation({
    mutationFn: (body: { feature: string; variants: Array<{ versionId: string; weight: number }> }) =>
      api.post('/api/admin/experiments', body),
    onSuccess: () => {
      notify('Experiment started')
      setWeights({})
      void client.invalidateQueries({ queryKey: ['admin', 'experiments'] })
      onDone?.()
    },
    onError: (e) => setError(e instanceof ApiError ? e.message : 'The experiment could not be started.'),
  })
  const chosen = feature || features[0] || ''
  const candidates = all.filter((v) => v.feature === chosen)
  if (versions.data && features.length === 0)
    return <Empty title="No model versions to compare">Register versions first (below).</Empty>

  const picked = candidates.filter((v) => weights[v.id] !== undefined)
  const total = picked.reduce((sum, v) => sum + (Number(weights[v.id]) || 0), 0)
  return (
    <form
      noValidate
      className="stack"
      aria-label="New experiment"
      onSubmit={(e) => {
        e.preventDefault()
        const body = {
          feature: chosen,
          variants: picked.map((v) => ({ versionId: v.id, weight: Number(weights[v.id]) })),
        }
        const parsed = experimentCreate.safeParse(body)
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!
          setError(
            issue.path[0] === 'variants' && issue.path.length === 1
              ? 'Pick at least two versions (at most ten).'
              : issue.path.includes('weight')
                ? 'Give each chosen version a weight above 0.'
                : plainIssue(issue as never),
          )
          return
        }
        setError(undefined)
        create.mutate(parsed.data)
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-feature`}>Feature</label>
        <select
          id={`${id}-feature`}
          value={chosen}
          onChange={(e) => {
            setFeature(e.target.value)
            setWeights({})
          }}
        >
          {features.map((f) => (
            <option key={f} value={f}>
              {humanize(f)}
            </option>
          ))}
        </select>
      </div>
      <fieldset
        className={`field${error ? ' has-error' : ''}`}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        aria-invalid={error ? true : undefined}
      >
        <legend>Versions and their share of traffic</legend>
        {candidates.map((v) => {
          const on = weights[v.id] !== undefined
          const w = Number(weights[v.id]) || 0
          return (
            <div key={v.id} className="row wrap">
              <label className="check grow">
                <input
                  type="checkbox"
                  checked={on}
                  onChange={(e) =>
                    setWeights((ws) => {
                      const next = { ...ws }
                      if (e.target.checked) next[v.id] = '1'
                      else delete next[v.id]
                      return next
                    })
                  }
                />{' '}
                {v.provider} · {v.model} · prompt {v.promptVersion} <span className="tag">{v.status}</span>
              </label>
              {on && (
                <>
                  <label htmlFor={`${id}-w-${v.id}`} className="small">
                    Weight
                  </label>
                  <input
                    id={`${id}-w-${v.id}`}
                    type="number"
                    min={0}
                    step="any"
                    className="narrow-input"
                    value={weights[v.id]}
                    onChange={(e) => setWeights((ws) => ({ ...ws, [v.id]: e.target.value }))}
                  />
                  <span className="small muted">
                    {total > 0 ? `${Math.round((w / total) * 100)} % of traffic` : ''}
                  </span>
                </>
              )}
            </div>
          )
        })}
        <div className="hint" id={`${id}-hint`}>
          The first version chosen is the control the others are compared with.
        </div>
        {error && (
          <div className="field-error" id={`${id}-error`}>
            {error}
          </div>
        )}
      </fieldset>
      <div className="row end">
        <button type="submit" className="btn primary" disabled={create.isPending || !chosen}>
          {create.isPending ? 'Starting…' : 'Start experiment'}
        </button>
      </div>
    </form>
  )
}
