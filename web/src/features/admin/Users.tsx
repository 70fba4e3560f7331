import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../../api/client.ts'
import type { User } from '../../api/types.ts'
import { fmtDateTime, fmtEmail } from '../../lib/format.ts'
import { useToast } from '../../app/toasts.tsx'
import { Card, ErrorState, Skeleton, TableWrap } from '../../components/ui.tsx'

const TIERS = ['free', 'premium', 'enterprise'] as const satisfies ReadonlyArray<User['tier']>

/** Users with their role and tier; an admin changes a tier in place (audited by the server). */
export function Users() {
  const [q, setQ] = useState('')
  const users = useQuery({
    queryKey: ['admin', 'users', q],
    queryFn: () => api.get('/api/admin/users', { query: { q: q.trim() || undefined, limit: 50 } }),
    placeholderData: (prev) => prev,
  })
  return (
    <Card title="Users and tiers">
      <div className="field">
        <label htmlFor="user-search">Find by email</label>
        <input id="user-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      {users.error ? (
        <ErrorState error={users.error} what="Users" retry={() => users.refetch()} />
      ) : !users.data ? (
        <Skeleton lines={4} />
      ) : (
        <TableWrap label="Users">
          <table className="table">
            <caption className="sr-only">
              {users.data.total.toLocaleString()} users{q ? ` matching ${q}` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Tier</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <tr key={u.id}>
                  <td className="ellipsis">{fmtEmail(u.email)}</td>
                  <td>{u.role}</td>
                  <td>
                    <TierSelect user={u} />
                  </td>
                  <td>{fmtDateTime(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Card>
  )
}

function TierSelect({ user }: { user: User }) {
  const client = useQueryClient()
  const { notify } = useToast()
  const change = useMutation({
    mutationFn: (tier: User['tier']) => api.patch('/api/admin/users/:id', { tier }, { params: { id: user.id } }),
    onSuccess: (u) => {
      notify(`${fmtEmail(u.email)} is now on the ${u.tier} tier`)
      return client.invalidateQueries({ queryKey: ['admin', 'users'] })
    },
  })
  const id = `tier-${user.id}`
  return (
    <>
      <label htmlFor={id} className="sr-only">
        Tier of {fmtEmail(user.email)}
      </label>
      <select
        id={id}
        value={change.isPending ? (change.variables ?? user.tier) : user.tier}
        disabled={change.isPending}
        onChange={(e) => change.mutate(e.target.value as User['tier'])}
        aria-describedby={change.error ? `${id}-error` : undefined}
        aria-invalid={change.error ? true : undefined}
      >
        {TIERS.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      {change.error && (
        <span className="field-error" id={`${id}-error`}>
          {change.error.message}
        </span>
      )}
    </>
  )
}
