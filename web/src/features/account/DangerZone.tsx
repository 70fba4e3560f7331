import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { api } from '../../api/client.ts'
import { fmtEmail } from '../../lib/format.ts'
import { keys } from '../../app/query.ts'
import { useModals } from '../../components/Modal.tsx'
import { describedBy, ErrorState, Field } from '../../components/ui.tsx'

/** Download all of my data; delete the account after typing its email. */
export function DataAndDeletion({ email }: { email: string }) {
  const modals = useModals()
  return (
    <div className="stack">
      <p>
        Everything OptimaliQ keeps about you — profile, answers, scores, insights, plans, KPIs, documents, API keys — as
        one JSON file.
      </p>
      <div className="row">
        <a className="btn" href="/api/me/export" download data-testid="export-link">
          Download my data
        </a>
      </div>
      <p className="section-gap">
        Deleting your account removes all of the above for good and signs you out everywhere. Download your data first
        if you may want it.
      </p>
      <div className="row">
        <button
          type="button"
          className="btn danger"
          onClick={() =>
            modals.open({
              title: 'Delete your account?',
              size: 'sm',
              testId: 'delete-account-modal',
              render: ({ close }) => <ConfirmDelete email={email} onCancel={close} />,
            })
          }
        >
          Delete my account…
        </button>
      </div>
    </div>
  )
}

function ConfirmDelete({ email, onCancel }: { email: string; onCancel: () => void }) {
  const client = useQueryClient()
  const navigate = useNavigate()
  const [typed, setTyped] = useState('')
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const expected = fmtEmail(email)
  const matches = typed.trim().toLowerCase() === expected
  const hint = `Type ${expected} to confirm.`
  return (
    <form
      noValidate
      className="stack"
      onSubmit={async (e) => {
        e.preventDefault()
        if (!matches) return
        setBusy(true)
        setError(undefined)
        try {
          await api.delete('/api/me')
          client.clear()
          client.setQueryData(keys.me, null)
          onCancel()
          navigate('/signin', { replace: true, state: { deleted: true } })
        } catch (err) {
          setError(err)
          setBusy(false)
        }
      }}
    >
      <p>This removes your account and every piece of your data. It cannot be undone.</p>
      <Field id="confirm-email" label="Your email" hint={hint}>
        <input
          type="email"
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          {...describedBy('confirm-email', undefined, hint)}
        />
      </Field>
      {error !== undefined && <ErrorState error={error} what="Deleting the account" />}
      <div className="row end">
        <button type="button" className="btn ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn danger" disabled={!matches || busy}>
          {busy ? 'Deleting…' : 'Delete everything'}
        </button>
      </div>
    </form>
  )
}
