import { useEffect, useRef } from 'react'
import { useBlocker } from 'react-router'
import { useModals } from '../components/Modal.tsx'

/**
 * Warn before leaving a page with unsaved answers: in-app navigation asks in a dialog (Stay is
 * the default), closing the tab asks through the browser.
 */
export function useLeaveGuard(
  when: boolean,
  message = 'Your answers so far are kept as a draft on this device, and you can finish later.',
) {
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) => when && currentLocation.pathname !== nextLocation.pathname,
  )
  const modals = useModals()
  const asked = useRef(false)
  useEffect(() => {
    if (blocker.state !== 'blocked') {
      asked.current = false
      return
    }
    if (asked.current) return
    asked.current = true
    let decided = false
    modals.open({
      title: 'Leave these answers unfinished?',
      size: 'sm',
      testId: 'leave-dialog',
      onClose: () => {
        if (!decided) blocker.reset?.()
      },
      render: ({ close }) => (
        <div className="stack">
          <p>{message}</p>
          <div className="row end">
            <button
              type="button"
              className="btn"
              onClick={() => {
                decided = true
                close()
                blocker.proceed?.()
              }}
            >
              Leave
            </button>
            <button type="button" className="btn primary" autoFocus onClick={() => close()}>
              Stay
            </button>
          </div>
        </div>
      ),
    })
  }, [blocker, modals, message])
  useEffect(() => {
    if (!when) return
    const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault()
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [when])
}

/** A draft kept in localStorage per user and form. */
export function draftStore<T>(key: string) {
  return {
    load(): T | undefined {
      try {
        const raw = localStorage.getItem(key)
        return raw ? (JSON.parse(raw) as T) : undefined
      } catch {
        return undefined
      }
    },
    save(value: T) {
      try {
        localStorage.setItem(key, JSON.stringify(value))
      } catch {
        // Storage full or disabled: the draft is a convenience, not a promise.
      }
    },
    clear() {
      try {
        localStorage.removeItem(key)
      } catch {
        // as above
      }
    },
  }
}
