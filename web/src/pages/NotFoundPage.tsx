import { Link } from 'react-router'
import { Page } from '../app/page.tsx'
import { Empty } from '../components/ui.tsx'

export default function NotFoundPage() {
  return (
    <Page title="Page not found">
      <Empty title="There is no page at this address">
        <Link to="/">Back to your dashboard</Link>
      </Empty>
    </Page>
  )
}
