import { Empty } from '../components/ui.tsx'
export function AdminPage() {
  return <Empty title="Monitoring is coming soon" />
}
