import type { ReactNode } from 'react'
import { Spinner } from './components/ui.tsx'
import { AdminPage } from './pages/AdminPage.tsx'
import { AssessmentsPage } from './pages/AssessmentsPage.tsx'
import { AuthPage } from './pages/AuthPage.tsx'
import { DashboardPage } from './pages/DashboardPage.tsx'
import { GrowthStudioPage } from './pages/GrowthStudioPage.tsx'
import { HistoryPage } from './pages/HistoryPage.tsx'
import { OnboardingPage } from './pages/OnboardingPage.tsx'
import { TakeAssessmentPage } from './pages/TakeAssessmentPage.tsx'
import { Link, match, useRouter } from './router.tsx'
import { useSession } from './session.tsx'

export function App() {
  const { user } = useSession()
  const { path } = useRouter()
  if (user === undefined) return <Spinner />
  if (user === null) return <AuthPage mode={path === '/signup' ? 'signup' : 'signin'} />
  return <Shell>{page(path, user.role === 'admin')}</Shell>
}

function page(path: string, admin: boolean): ReactNode {
  let p: Record<string, string> | null
  if (path === '/' || path === '/signin' || path === '/signup' || path === '/dashboard') return <DashboardPage />
  if (path === '/onboarding') return <OnboardingPage />
  if (path === '/assessments') return <AssessmentsPage />
  if ((p = match('/assessments/:type/history', path))) return <HistoryPage key={p.type} type={p.type!} />
  if ((p = match('/assessments/:type', path))) return <TakeAssessmentPage key={p.type} type={p.type!} />
  if (path === '/growth-studio') return <GrowthStudioPage />
  if (path === '/admin' && admin) return <AdminPage />
  return (
    <div className="empty">
      <strong>Page not found</strong>
      <Link to="/">Back to your dashboard</Link>
    </div>
  )
}

function Shell({ children }: { children: ReactNode }) {
  const { user, signOut, status } = useSession()
  const { navigate } = useRouter()
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="logo">
          Optimali<span>Q</span>
        </Link>
        <nav>
          <Link to="/">Dashboard</Link>
          <Link to="/assessments">Assessments</Link>
          <Link to="/growth-studio">Growth studio</Link>
          {user?.role === 'admin' && <Link to="/admin">Monitoring</Link>}
        </nav>
        <div className="user">
          <span className={`live-dot ${status}`} title={`Live updates: ${status}`} />
          <span className="muted small">{user?.email}</span>
          <button
            className="btn ghost small"
            onClick={async () => {
              await signOut()
              navigate('/signin', { replace: true })
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main className="main">{children}</main>
    </div>
  )
}
