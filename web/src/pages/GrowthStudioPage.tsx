import { Empty } from '../components/ui.tsx'
export function GrowthStudioPage() {
  return <Empty title="Growth studio is coming soon" />
}
