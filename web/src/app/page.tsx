import { useEffect, useRef, type ReactNode } from 'react'
import { useLocation } from 'react-router'

/**
 * A page: sets the document title and, after a navigation (not on the first load, where the skip
 * link comes first), moves focus to the page heading so screen readers announce the new page.
 */
export function Page({
  title,
  heading,
  lead,
  actions,
  children,
  narrow,
}: {
  title: string
  heading?: ReactNode
  lead?: ReactNode
  actions?: ReactNode
  children?: ReactNode
  narrow?: boolean
}) {
  usePageTitle(title)
  const ref = useHeadingFocus()
  return (
    <div className={narrow ? 'narrow' : 'page'}>
      <div className="page-head">
        <div>
          <h1 ref={ref} tabIndex={-1}>
            {heading ?? title}
          </h1>
          {lead && <p className="muted lead">{lead}</p>}
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </div>
  )
}

export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · OptimaliQ`
  }, [title])
}

/** Focus this heading when the location changes (not on the first load). */
export function useHeadingFocus() {
  const ref = useRef<HTMLHeadingElement>(null)
  const location = useLocation()
  useEffect(() => {
    if (location.key === 'default' && !(history.state as { focus?: boolean } | null)?.focus) return
    ref.current?.focus()
  }, [location.key])
  return ref
}
