import type { QueryClient } from '@tanstack/react-query'
import { Navigate, Outlet, useLocation, useRouteError, type RouteObject } from 'react-router'
import { ModalProvider } from './components/Modal.tsx'
import { Skeleton } from './components/ui.tsx'
import { prefetchFor, queries } from './app/queries.ts'
import { useMe } from './app/session.tsx'
import { Shell } from './app/Shell.tsx'

/** Each page is its own chunk, loaded when first visited (`default` export: the page component). */
const page = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({
  Component: (await load()).default,
})

/** Where to go after signing in: a same-site path only (never `//evil.example`). */
export function safeNext(next: string | null): string | undefined {
  return next &&
    next.startsWith('/') &&
    !next.startsWith('//') &&
    !next.startsWith('/signin') &&
    !next.startsWith('/signup')
    ? next
    : undefined
}

function RequireAuth() {
  const user = useMe()
  const location = useLocation()
  if (user === undefined) return <FullSkeleton />
  if (user === null) {
    const here = location.pathname + location.search
    return <Navigate to={here === '/' ? '/signin' : `/signin?next=${encodeURIComponent(here)}`} replace />
  }
  return (
    <Shell user={user}>
      <Outlet />
    </Shell>
  )
}

function RequireAdmin() {
  const user = useMe()
  if (user?.role !== 'admin') return <Navigate to="/" replace />
  return <Outlet />
}

function FullSkeleton() {
  return (
    <div className="boot">
      <Skeleton lines={4} label="Loading OptimaliQ" />
    </div>
  )
}

function RouteError() {
  const error = useRouteError()
  return (
    <main className="main" id="main">
      <div className="banner error error-state" role="alert">
        <span>This page could not be shown{error instanceof Error ? `: ${error.message}` : ''}.</span>
        <button type="button" className="btn small" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    </main>
  )
}

/** The app's routes; `client` lets a route start its page's queries while the page's code loads. */
export const createRoutes = (client: QueryClient): RouteObject[] => [
  {
    element: (
      <ModalProvider>
        <Outlet />
      </ModalProvider>
    ),
    errorElement: <RouteError />,
    HydrateFallback: FullSkeleton,
    children: [
      { path: '/signin', lazy: page(() => import('./pages/AuthPage.tsx')) },
      { path: '/signup', lazy: page(() => import('./pages/SignupPage.tsx')) },
      {
        element: <RequireAuth />,
        children: [
          {
            index: true,
            id: 'dashboard',
            loader: prefetchFor(
              client,
              queries.scores,
              queries.dashboard,
              queries.recommendations,
              queries.forecast,
              queries.benchmarks,
            ),
            lazy: page(() => import('./pages/DashboardPage.tsx')),
          },
          { path: 'dashboard', element: <Navigate to="/" replace /> },
          { path: 'onboarding', lazy: page(() => import('./pages/OnboardingPage.tsx')) },
          { path: 'assessments', lazy: page(() => import('./pages/AssessmentsPage.tsx')) },
          { path: 'assessments/:type', lazy: page(() => import('./pages/TakeAssessmentPage.tsx')) },
          { path: 'assessments/:type/history', lazy: page(() => import('./pages/HistoryPage.tsx')) },
          { path: 'growth-studio', lazy: page(() => import('./pages/GrowthStudioPage.tsx')) },
          { path: 'peers', lazy: page(() => import('./pages/PeersPage.tsx')) },
          { path: 'kpis', lazy: page(() => import('./pages/KpisPage.tsx')) },
          { path: 'documents', lazy: page(() => import('./pages/DocumentsPage.tsx')) },
          { path: 'documents/:id', lazy: page(() => import('./pages/DocumentPage.tsx')) },
          { path: 'account', lazy: page(() => import('./pages/AccountPage.tsx')) },
          { path: '*', lazy: page(() => import('./pages/NotFoundPage.tsx')) },
          {
            element: <RequireAdmin />,
            children: [{ path: 'admin', lazy: page(() => import('./pages/AdminPage.tsx')) }],
          },
        ],
      },
    ],
  },
]
