import * as Dialog from '@radix-ui/react-dialog'
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react'

/**
 * One modal system for the app, on Radix Dialog: modals stack (the newest on top; Escape and the
 * focus trap act on the top one only), come in five sizes, trap focus, close on Escape and — when
 * asked — on a click on the backdrop, are `aria-modal` and labelled by their title, and give focus
 * back to whatever opened them.
 *
 *   const modals = useModals()
 *   modals.open({ title: 'Plan', size: 'lg', render: ({ close }) => <Planner onDone={close} /> })
 */

export type ModalSize = 'sm' | 'md' | 'lg' | 'xl' | 'full'
export type ModalOptions = {
  title: ReactNode
  description?: ReactNode
  size?: ModalSize
  /** Close on a click outside the dialog (default false: a stray click must not lose input). */
  dismissOnBackdrop?: boolean
  render: (api: { close: () => void; id: number }) => ReactNode
  onClose?: () => void
  testId?: string
}
type Entry = ModalOptions & { id: number; opener: Element | null }
type ModalApi = { open: (options: ModalOptions) => number; close: (id?: number) => void; count: number }

const ModalContext = createContext<ModalApi | undefined>(undefined)

export function ModalProvider({ children }: { children: ReactNode }) {
  const [stack, setStack] = useState<Entry[]>([])
  const seq = useRef(0)
  const open = useCallback((options: ModalOptions) => {
    const id = ++seq.current
    setStack((s) => [...s, { ...options, id, opener: document.activeElement }])
    return id
  }, [])
  const close = useCallback((id?: number) => {
    setStack((s) => {
      const target = id === undefined ? s[s.length - 1] : s.find((e) => e.id === id)
      if (!target) return s
      target.onClose?.()
      return s.filter((e) => e !== target)
    })
  }, [])
  const value = useMemo(() => ({ open, close, count: stack.length }), [open, close, stack.length])
  return (
    <ModalContext.Provider value={value}>
      {children}
      {stack.map((entry, index) => (
        <ModalFrame
          key={entry.id}
          entry={entry}
          depth={index}
          top={index === stack.length - 1}
          onClose={() => close(entry.id)}
        />
      ))}
    </ModalContext.Provider>
  )
}

function ModalFrame({
  entry,
  depth,
  top,
  onClose,
}: {
  entry: Entry
  depth: number
  top: boolean
  onClose: () => void
}) {
  const size = entry.size ?? 'md'
  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="modal-backdrop" style={{ zIndex: 50 + depth * 2 }} />
        <Dialog.Content
          className={`modal modal-${size}`}
          style={{ zIndex: 51 + depth * 2 }}
          aria-modal="true"
          data-testid={entry.testId}
          data-top={top ? 'true' : undefined}
          {...(entry.description ? {} : { 'aria-describedby': undefined })}
          onPointerDownOutside={(e) => {
            if (!entry.dismissOnBackdrop || !top) e.preventDefault()
          }}
          onInteractOutside={(e) => {
            if (!entry.dismissOnBackdrop || !top) e.preventDefault()
          }}
          onCloseAutoFocus={(e) => {
            // Back to the opener (Radix only knows its own Trigger, and we open programmatically).
            e.preventDefault()
            const opener = entry.opener as HTMLElement | null
            if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus()
          }}
        >
          <header className="modal-head">
            <Dialog.Title className="modal-title">{entry.title}</Dialog.Title>
            <Dialog.Close className="icon modal-close" aria-label="Close">
              ×
            </Dialog.Close>
          </header>
          {entry.description && <Dialog.Description className="muted">{entry.description}</Dialog.Description>}
          <div className="modal-body">{entry.render({ close: onClose, id: entry.id })}</div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}

export function useModals(): ModalApi {
  const value = useContext(ModalContext)
  if (!value) throw new Error('useModals outside ModalProvider')
  return value
}
