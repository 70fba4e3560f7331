import { useEffect, useState, type ReactNode } from 'react'
import { NavLink, useLocation, useNavigate, useNavigation } from 'react-router'
import type { User } from '../api/types.ts'
import { fmtEmail } from '../lib/format.ts'
import { useLive, useSignOut } from './session.tsx'

const STATUS_TEXT = {
  open: 'Live updates on',
  connecting: 'Connecting to live updates',
  reconnecting: 'Reconnecting to live updates',
  closed: 'Live updates off',
} as const

/** The signed-in layout: skip link, top bar (a menu button on small screens), main landmark. */
export function Shell({ user, children }: { user: User; children: ReactNode }) {
  const { status } = useLive()
  const signOut = useSignOut()
  const navigate = useNavigate()
  const navigation = useNavigation()
  const location = useLocation()
  const [menuOpen, setMenuOpen] = useState(false)
  useEffect(() => setMenuOpen(false), [location.pathname])

  const links: Array<[string, string]> = [
    ['/', 'Dashboard'],
    ['/assessments', 'Assessments'],
    ['/growth-studio', 'Growth studio'],
    ['/peers', 'Peers'],
    ['/kpis', 'KPIs'],
    ['/documents', 'Documents'],
    ['/account', 'Account'],
  ]
  if (user.role === 'admin') links.push(['/admin', 'Monitoring'])

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      {navigation.state === 'loading' && (
        <div className="route-progress" role="progressbar" aria-label="Loading page" />
      )}
      <header className="topbar">
        <NavLink to="/" className="logo" aria-label="OptimaliQ home">
          Optimali<span>Q</span>
        </NavLink>
        <button
          type="button"
          className="btn ghost menu-button"
          aria-expanded={menuOpen}
          aria-controls="site-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          <span aria-hidden="true">☰</span> Menu
        </button>
        <nav id="site-nav" aria-label="Main" className={menuOpen ? 'open' : ''}>
          <ul>
            {links.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to} end={to === '/'} onClick={() => setMenuOpen(false)}>
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
          <div className="user">
            <span className={`live-dot ${status}`} aria-hidden="true" />
            <span className="sr-only" role="status">
              {STATUS_TEXT[status]}
            </span>
            <span className="muted small email" title={fmtEmail(user.email)}>
              {fmtEmail(user.email)}
            </span>
            <button
              type="button"
              className="btn ghost small"
              onClick={async () => {
                // Signed out first: navigating first showed the sign-in page, bounced to the
                // dashboard (still signed in), then mounted it again when the session ended.
                await signOut()
                navigate('/signin', { replace: true })
              }}
            >
              Sign out
            </button>
          </div>
        </nav>
      </header>
      <main className="main" id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  )
}
