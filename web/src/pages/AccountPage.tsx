import { useQuery } from '@tanstack/react-query'
import { api } from '../api/client.ts'
import type { UsageStanding } from '../api/types.ts'
import { fmtDateTime, fmtEmail, fmtNumber, fmtUsd, humanize } from '../lib/format.ts'
import { Page } from '../app/page.tsx'
import { keys } from '../app/query.ts'
import { useMe } from '../app/session.tsx'
import { Card, ErrorState, Skeleton } from '../components/ui.tsx'
import { ApiKeys } from '../features/account/ApiKeys.tsx'
import { DataAndDeletion } from '../features/account/DangerZone.tsx'
import { PasswordForm } from '../features/account/PasswordForm.tsx'
import { ProfileForm } from '../features/account/ProfileForm.tsx'

/** Account: business profile, password, API keys with their use, AI allowance, export and deletion. */
export default function AccountPage() {
  const me = useMe()
  const profile = useQuery({ queryKey: keys.profile, queryFn: () => api.get('/api/profile') })
  const usage = useQuery({ queryKey: keys.usage, queryFn: () => api.get('/api/me/ai-usage') })
  return (
    <Page
      title="Account"
      lead={
        me && (
          <>
            Signed in as <strong>{fmtEmail(me.email)}</strong> · {humanize(me.tier)} plan · member since{' '}
            {new Date(me.createdAt).toLocaleDateString()}
          </>
        )
      }
    >
      <Card title="Business profile" testId="profile">
        {profile.error ? (
          <ErrorState error={profile.error} what="Your profile" retry={() => profile.refetch()} />
        ) : !profile.data ? (
          <Skeleton lines={5} label="Loading your profile" />
        ) : (
          <ProfileForm profile={profile.data} />
        )}
      </Card>
      <div className="grid two">
        <Card title="Password" testId="password">
          <PasswordForm />
        </Card>
        <Card title="AI allowance" testId="ai-usage">
          {usage.error ? (
            <ErrorState error={usage.error} what="Your AI allowance" retry={() => usage.refetch()} />
          ) : !usage.data ? (
            <Skeleton lines={4} />
          ) : (
            <Allowance usage={usage.data} />
          )}
        </Card>
      </div>
      <Card title="API keys" testId="keys">
        <ApiKeys />
      </Card>
      <Card title="Your data" className="danger-zone" testId="your-data">
        {me && <DataAndDeletion email={me.email} />}
      </Card>
    </Page>
  )
}

/** `user.requests_per_minute` → "Requests per minute"; `user.free.daily` → "Daily". */
const lastPart = (name: string) => humanize(name.split('.').at(-1) ?? name)

function Allowance({ usage }: { usage: UsageStanding }) {
  if (usage.limits.length === 0 && usage.budgets.length === 0)
    return <p className="muted">No limits apply to your plan.</p>
  return (
    <div className="stack">
      {usage.limits.map((l) => (
        <div key={l.limit} className="progressbar">
          <div className="progressbar-label">
            <span>{lastPart(l.limit)}</span>
            <span>
              {fmtNumber(l.remaining)} of {fmtNumber(l.max)} left
            </span>
          </div>
          <div
            className="progressbar-track"
            role="meter"
            aria-label={`${lastPart(l.limit)}: left`}
            aria-valuemin={0}
            aria-valuemax={l.max}
            aria-valuenow={l.remaining}
          >
            <div style={{ width: `${l.max ? Math.round((l.remaining / l.max) * 100) : 0}%` }} />
          </div>
          <span className="muted small">Resets {fmtDateTime(l.resetAt)}</span>
        </div>
      ))}
      {usage.budgets.map((b) => (
        <p key={b.budget} className="small">
          <strong>{lastPart(b.budget)} budget:</strong> {fmtUsd(b.spentUsd)} of {fmtUsd(b.limitUsd)} spent · resets{' '}
          {fmtDateTime(b.resetAt)}
        </p>
      ))}
    </div>
  )
}
