import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useForm } from 'react-hook-form'
import { z } from 'zod'
import { api } from '../../api/client.ts'
import type { ApiKey, CreatedKey, KeyUsage } from '../../api/types.ts'
import { applyServerErrors, plainResolver, sentence } from '../../app/forms.ts'
import { fmtDateTime, fmtNumber, fmtUsd } from '../../lib/format.ts'
import { keys } from '../../app/query.ts'
import { useModals } from '../../components/Modal.tsx'
import { describedBy, Empty, ErrorState, Field, Skeleton, TableWrap } from '../../components/ui.tsx'

/** The server's rule for a key name (`POST /api/keys`). */
const nameSchema = z.object({ name: z.string().trim().min(1).max(100) })

/** API keys for `/v1`: create (the key shown once), the last 30 days of use per key, standing, rotate, revoke. */
export function ApiKeys() {
  const client = useQueryClient()
  const modals = useModals()
  const list = useQuery({ queryKey: keys.apiKeys, queryFn: () => api.get('/api/keys') })
  const usage = useQuery({ queryKey: keys.keyUsage, queryFn: () => api.get('/api/keys/usage') })
  const [created, setCreated] = useState<CreatedKey>()
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete('/api/keys/:id', { params: { id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.apiKeys }),
  })
  // A new secret, shown once like a new key; the old one keeps working for 24 hours.
  const rotate = useMutation({
    mutationFn: (id: string) => api.post('/api/keys/:id/rotate', {}, { params: { id } }),
    onSuccess: (key) => {
      setCreated(key)
      void client.invalidateQueries({ queryKey: keys.apiKeys })
    },
  })

  const confirmRevoke = (key: ApiKey) =>
    modals.open({
      title: `Revoke “${key.name}”?`,
      size: 'sm',
      testId: 'revoke-modal',
      render: ({ close }) => (
        <div className="stack">
          <p>Programs using the key {key.prefix}… stop working at once. This cannot be undone.</p>
          <div className="row end">
            <button type="button" className="btn ghost" onClick={close}>
              Keep it
            </button>
            <button
              type="button"
              className="btn danger"
              onClick={async () => {
                await revoke.mutateAsync(key.id).catch(() => undefined)
                close()
              }}
            >
              Revoke key
            </button>
          </div>
        </div>
      ),
    })

  return (
    <div className="stack">
      <CreateKey
        onCreated={(key) => {
          setCreated(key)
          void client.invalidateQueries({ queryKey: keys.apiKeys })
        }}
      />
      {created && (
        <div className="banner info stack" role="status" data-testid="new-key">
          <strong>
            {created.rotatedAt && created.status === 'rotating'
              ? `The new secret of “${created.name}”: the old one keeps working until ${fmtDateTime(created.previousKeyExpiresAt ?? created.rotatedAt)}.`
              : `Your new key “${created.name}”.`}{' '}
            Copy it now: it will not be shown again.
          </strong>
          <code className="key-secret" data-testid="new-key-secret">
            {created.key}
          </code>
          <div className="row">
            <button
              type="button"
              className="btn small"
              onClick={() => void navigator.clipboard?.writeText(created.key).catch(() => undefined)}
            >
              Copy
            </button>
            <button type="button" className="btn ghost small" onClick={() => setCreated(undefined)}>
              I have stored it
            </button>
          </div>
        </div>
      )}
      {revoke.error && <ErrorState error={revoke.error} what="Revoking the key" />}
      {rotate.error && <ErrorState error={rotate.error} what="Rotating the key" />}
      {list.error ? (
        <ErrorState error={list.error} what="Your API keys" retry={() => list.refetch()} />
      ) : !list.data ? (
        <Skeleton lines={3} label="Loading your API keys" />
      ) : list.data.keys.length === 0 ? (
        <Empty title="No API keys yet">
          Create one to call the OpenAI-compatible API at <code>/v1</code> from your own programs.
        </Empty>
      ) : (
        <KeyTable
          keys={list.data.keys}
          usage={usage.data}
          onRevoke={confirmRevoke}
          onRotate={(key) => rotate.mutate(key.id)}
        />
      )}
    </div>
  )
}

function CreateKey({ onCreated }: { onCreated: (key: CreatedKey) => void }) {
  const [banner, setBanner] = useState<string>()
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<{ name: string }>({ resolver: plainResolver(nameSchema), defaultValues: { name: '' } })
  const error = sentence(errors.name?.message)
  return (
    <form
      noValidate
      className="row wrap"
      aria-label="Create an API key"
      onSubmit={handleSubmit(async (values) => {
        setBanner(undefined)
        try {
          onCreated(await api.post('/api/keys', values))
          reset({ name: '' })
        } catch (e) {
          setBanner(applyServerErrors(e, setError, ['name']))
        }
      })}
    >
      <div className="grow">
        <Field id="key-name" label="Name of the new key" error={error} hint="Where you will use it, e.g. “CRM sync”.">
          <input {...describedBy('key-name', error, 'hint')} maxLength={120} {...register('name')} />
        </Field>
      </div>
      <button type="submit" className="btn primary" disabled={isSubmitting}>
        {isSubmitting ? 'Creating…' : 'Create key'}
      </button>
      {banner && (
        <div className="banner error" role="alert">
          {banner}
        </div>
      )}
    </form>
  )
}

function KeyTable({
  keys: list,
  usage,
  onRevoke,
  onRotate,
}: {
  keys: ApiKey[]
  usage: KeyUsage | undefined
  onRevoke: (key: ApiKey) => void
  onRotate: (key: ApiKey) => void
}) {
  const of = (id: string) => usage?.keys.find((k) => k.keyId === id)
  return (
    <TableWrap label="API keys">
      <table className="table" data-testid="api-keys">
        <caption className="sr-only">Your API keys and their use over the last {usage?.days ?? 30} days</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col" className="num">
              Requests ({usage?.days ?? 30} d)
            </th>
            <th scope="col" className="num">
              Tokens
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col">Standing</th>
            <th scope="col">Budget left</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((k) => {
            const u = of(k.id)
            return (
              <tr key={k.id} data-testid="api-key">
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{fmtDateTime(k.createdAt)}</td>
                <td>{k.lastUsedAt ? fmtDateTime(k.lastUsedAt) : 'Never'}</td>
                <td className="num">{usage ? fmtNumber(u?.requests ?? 0) : '…'}</td>
                <td className="num">{usage ? fmtNumber(u?.tokens ?? 0) : '…'}</td>
                <td className="num">{usage ? fmtUsd(u?.costUsd ?? 0) : '…'}</td>
                <td data-testid="key-standing">
                  <Standing apiKey={k} />
                </td>
                <td>{budgetLeft(k)}</td>
                <td>
                  {k.revokedAt ? (
                    <span className="tag">Revoked {fmtDateTime(k.revokedAt)}</span>
                  ) : (
                    <div className="row">
                      {k.status !== 'expired' && (
                        <button
                          type="button"
                          className="btn ghost small"
                          onClick={() => onRotate(k)}
                          aria-label={`Rotate ${k.name}`}
                        >
                          Rotate
                        </button>
                      )}
                      <button
                        type="button"
                        className="btn ghost small"
                        onClick={() => onRevoke(k)}
                        aria-label={`Revoke ${k.name}`}
                      >
                        Revoke
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </TableWrap>
  )
}

const STATUS_LABEL = { active: 'Active', rotating: 'Rotating', expired: 'Expired', revoked: 'Revoked' } as const

/** Status, expiry and scopes of a key (what is enforced, with an admin's overrides). */
function Standing({ apiKey: k }: { apiKey: ApiKey }) {
  return (
    <div className="stack">
      <span className="tag">{STATUS_LABEL[k.status]}</span>
      {k.expiresAt && (
        <small>
          {k.status === 'expired' ? 'Expired' : 'Expires'} {fmtDateTime(k.expiresAt)}
        </small>
      )}
      {k.status === 'rotating' && k.previousKeyExpiresAt && (
        <small>Old secret works until {fmtDateTime(k.previousKeyExpiresAt)}</small>
      )}
      <small>Scopes: {k.effective.scopes?.join(', ') ?? 'all'}</small>
    </div>
  )
}

/** What is left of the key's budgets today and this month, or "No budget". */
function budgetLeft(k: ApiKey): string {
  const parts = [
    k.budgets.daily && `${fmtUsd(k.budgets.daily.remainingUsd)} today`,
    k.budgets.monthly && `${fmtUsd(k.budgets.monthly.remainingUsd)} this month`,
  ].filter(Boolean)
  return parts.length > 0 ? parts.join(' · ') : 'No budget'
}
