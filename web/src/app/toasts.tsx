import * as Toast from '@radix-ui/react-toast'
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'

type Item = { id: number; text: string; tone: 'info' | 'error' }
type ToastValue = { notify: (text: string, tone?: Item['tone']) => void }
const ToastContext = createContext<ToastValue>({ notify: () => undefined })
let next = 1

/** Toasts that queue (a second one never replaces the first), announced politely, dismissable. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<Item[]>([])
  const notify = useCallback(
    (text: string, tone: Item['tone'] = 'info') => setItems((list) => [...list.slice(-3), { id: next++, text, tone }]),
    [],
  )
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
            type={item.tone === 'error' ? 'foreground' : 'background'}
            onOpenChange={(open) => {
              if (!open) setItems((list) => list.filter((i) => i.id !== item.id))
            }}
          >
            <Toast.Description>{item.text}</Toast.Description>
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
