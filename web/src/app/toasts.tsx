import * as Toast from '@radix-ui/react-toast'
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'

type Tone = 'info' | 'error'
type Item = { id: number; lines: string[]; tone: Tone; group: string | undefined; version: number }
/**
 * `group` merges related news into one toast that updates: a second notice of the same group
 * adds its line to the open toast (and restarts its timer) instead of stacking a new one.
 */
type NotifyOptions = { tone?: Tone; group?: string }
type ToastValue = { notify: (text: string, options?: Tone | NotifyOptions) => void }
const ToastContext = createContext<ToastValue>({ notify: () => undefined })
let next = 1

/** Add a notice to the list: a new toast, or a line of the open toast of its group. */
export function addNotice(list: Item[], text: string, tone: Tone, group: string | undefined): Item[] {
  const open = group ? list.find((i) => i.group === group) : undefined
  if (open) {
    const lines = open.lines.includes(text) ? open.lines : [...open.lines, text].slice(-4)
    return list.map((i) =>
      i === open ? { ...i, lines, tone: tone === 'error' ? tone : i.tone, version: i.version + 1 } : i,
    )
  }
  return [...list.slice(-3), { id: next++, lines: [text], tone, group, version: 0 }]
}

/** Toasts that queue (a second one never replaces the first), announced politely, dismissable. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<Item[]>([])
  const notify = useCallback((text: string, options?: Tone | NotifyOptions) => {
    const { tone = 'info', group } = typeof options === 'string' ? { tone: options } : (options ?? {})
    setItems((list) => addNotice(list, text, tone, group))
  }, [])
  const value = useMemo(() => ({ notify }), [notify])
  return (
    <ToastContext.Provider value={value}>
      <Toast.Provider duration={6000} label="Notification">
        {children}
        {items.map((item) => (
          <Toast.Root
            key={item.id}
            className={`toast ${item.tone}`}
            data-testid="live-toast"
            // A changed duration restarts Radix's timer: an updated toast stays its full time.
            duration={6000 + item.version}
            type={item.tone === 'error' ? 'foreground' : 'background'}
            onOpenChange={(open) => {
              if (!open) setItems((list) => list.filter((i) => i.id !== item.id))
            }}
          >
            <Toast.Description asChild>
              {item.lines.length === 1 ? (
                <p className="toast-text">{item.lines[0]}</p>
              ) : (
                <ul className="toast-lines">
                  {item.lines.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              )}
            </Toast.Description>
            <Toast.Close className="toast-close" aria-label="Dismiss">
              ×
            </Toast.Close>
          </Toast.Root>
        ))}
        <Toast.Viewport className="toast-viewport" />
      </Toast.Provider>
    </ToastContext.Provider>
  )
}

export const useToast = () => useContext(ToastContext)
