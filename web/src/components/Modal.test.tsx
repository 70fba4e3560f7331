import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { ModalProvider, useModals, type ModalOptions } from './Modal.tsx'

/** The modal system: focus trap, Escape, stacking, backdrop, focus back to the opener, labelling. */

function Opener({ options, label = 'Open' }: { options: ModalOptions; label?: string }) {
  const modals = useModals()
  return (
    <button type="button" onClick={() => modals.open(options)}>
      {label}
    </button>
  )
}

function Inner() {
  const modals = useModals()
  return (
    <div>
      <input aria-label="First field" />
      <button
        type="button"
        onClick={() =>
          modals.open({ title: 'Second', size: 'sm', render: () => <button type="button">Inside second</button> })
        }
      >
        Open another
      </button>
    </div>
  )
}

const first: ModalOptions = { title: 'First modal', size: 'lg', render: () => <Inner /> }

function setup(options: ModalOptions = first) {
  const user = userEvent.setup()
  render(
    <ModalProvider>
      <button type="button">Before</button>
      <Opener options={options} />
    </ModalProvider>,
  )
  return user
}

describe('ModalProvider', () => {
  it('opens a labelled, aria-modal dialog of the asked size and moves focus into it', async () => {
    const user = setup()
    await user.click(screen.getByRole('button', { name: 'Open' }))
    const dialog = await screen.findByRole('dialog', { name: 'First modal' })
    expect(dialog.getAttribute('aria-modal')).toBe('true')
    expect(dialog.className).toContain('modal-lg')
    expect(dialog.contains(document.activeElement)).toBe(true)
  })

  it('traps Tab inside the dialog, both ways', async () => {
    const user = setup()
    await user.click(screen.getByRole('button', { name: 'Open' }))
    const dialog = await screen.findByRole('dialog', { name: 'First modal' })
    for (let i = 0; i < 6; i++) {
      await user.tab()
      expect(dialog.contains(document.activeElement)).toBe(true)
    }
    for (let i = 0; i < 6; i++) {
      await user.tab({ shift: true })
      expect(dialog.contains(document.activeElement)).toBe(true)
    }
  })

  it('closes on Escape and gives focus back to the opener', async () => {
    const user = setup()
    const opener = screen.getByRole('button', { name: 'Open' })
    await user.click(opener)
    await screen.findByRole('dialog')
    await user.keyboard('{Escape}')
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(document.activeElement).toBe(opener)
  })

  it('stacks: Escape closes only the top modal, focus returns to its opener inside the first', async () => {
    const user = setup()
    await user.click(screen.getByRole('button', { name: 'Open' }))
    await screen.findByRole('dialog', { name: 'First modal' })
    const inner = screen.getByRole('button', { name: 'Open another' })
    await user.click(inner)
    const second = await screen.findByRole('dialog', { name: 'Second' })
    expect(second.className).toContain('modal-sm')
    expect(second.contains(document.activeElement)).toBe(true)
    await user.keyboard('{Escape}')
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Second' })).toBeNull())
    expect(screen.getByRole('dialog', { name: 'First modal' })).toBeTruthy()
    expect(document.activeElement).toBe(inner)
    await user.keyboard('{Escape}')
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
  })

  it('ignores a backdrop click unless asked, then closes on it', async () => {
    const user = setup()
    await user.click(screen.getByRole('button', { name: 'Open' }))
    await screen.findByRole('dialog')
    await user.click(document.querySelector('.modal-backdrop')!)
    expect(screen.queryByRole('dialog')).not.toBeNull()
    await user.keyboard('{Escape}')
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
  })

  it('closes on a backdrop click when dismissOnBackdrop is set, and from its Close button', async () => {
    const user = setup({ ...first, title: 'Dismissable', dismissOnBackdrop: true })
    const opener = screen.getByRole('button', { name: 'Open' })
    await user.click(opener)
    await screen.findByRole('dialog', { name: 'Dismissable' })
    await user.click(document.querySelector('.modal-backdrop')!)
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    await user.click(opener)
    await screen.findByRole('dialog')
    await user.click(screen.getByRole('button', { name: 'Close' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(document.activeElement).toBe(opener)
  })
})
