import * as Tabs from '@radix-ui/react-tabs'
import { useState } from 'react'
import { Page } from '../app/page.tsx'
import { useLive } from '../app/session.tsx'
import { AlertRules, Alerts } from '../features/admin/Alerts.tsx'
import { WINDOWS, type Window } from '../features/admin/common.ts'
import { ExperimentCreator, Experiments } from '../features/admin/Experiments.tsx'
import { Providers } from '../features/admin/Providers.tsx'
import { Quality } from '../features/admin/Quality.tsx'
import { Usage } from '../features/admin/Usage.tsx'
import { Users } from '../features/admin/Users.tsx'
import { Versions } from '../features/admin/Versions.tsx'

/** The AI monitoring console: health, traffic, costs, alerts, versions and experiments — refreshed by the event stream. */
export default function AdminPage() {
  const [window, setWindow] = useState<Window>('24h')
  const { status } = useLive()
  return (
    <Page
      title="AI monitoring"
      lead={`Provider health, traffic, errors, latency and cost of the AI gateway. ${status === 'open' ? 'Live.' : 'Not live: refresh to update.'}`}
      actions={
        <div className="segmented" role="radiogroup" aria-label="Time window">
          {WINDOWS.map((w) => (
            <button
              key={w}
              type="button"
              role="radio"
              aria-checked={w === window}
              className={`btn small${w === window ? ' primary' : ''}`}
              onClick={() => setWindow(w)}
            >
              {w}
            </button>
          ))}
        </div>
      }
    >
      <Tabs.Root defaultValue="overview" className="tabs">
        <Tabs.List className="tab-list" aria-label="Monitoring sections">
          <Tabs.Trigger value="overview">Overview</Tabs.Trigger>
          <Tabs.Trigger value="alerts">Alerts</Tabs.Trigger>
          <Tabs.Trigger value="versions">Versions & experiments</Tabs.Trigger>
          <Tabs.Trigger value="quality">Satisfaction & funnel</Tabs.Trigger>
          <Tabs.Trigger value="users">Users</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="overview" className="stack">
          <Providers />
          <Usage window={window} />
        </Tabs.Content>
        <Tabs.Content value="alerts" className="stack">
          <Alerts />
          <AlertRules />
        </Tabs.Content>
        <Tabs.Content value="versions" className="stack">
          <Experiments />
          <ExperimentCreator />
          <Versions />
        </Tabs.Content>
        <Tabs.Content value="quality" className="stack">
          <Quality />
        </Tabs.Content>
        <Tabs.Content value="users" className="stack">
          <Users />
        </Tabs.Content>
      </Tabs.Root>
    </Page>
  )
}
