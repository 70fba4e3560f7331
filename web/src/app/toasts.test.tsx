import { act, render, screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { ToastProvider, useToast } from './toasts.tsx'

let notify: ReturnType<typeof useToast>['notify'] = () => undefined
function Grab() {
  notify = useToast().notify
  return null
}

describe('toasts', () => {
  it('merges the news of one group into one toast that updates, and keeps other groups apart', () => {
    render(
      <ToastProvider>
        <Grab />
      </ToastProvider>,
    )
    act(() => notify('New sales score: 3.50', { group: 'progress' }))
    act(() => notify('A background analysis finished', { group: 'progress' }))
    act(() => notify('Your insights were refreshed', { group: 'progress' }))
    act(() => notify('Your insights were refreshed', { group: 'progress' }))
    act(() => notify('A document analysis is ready', { group: 'documents' }))
    const toasts = screen.getAllByTestId('live-toast')
    expect(toasts).toHaveLength(2)
    expect(
      within(toasts[0]!)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['New sales score: 3.50', 'A background analysis finished', 'Your insights were refreshed'])
    expect(toasts[1]!.textContent).toContain('A document analysis is ready')
  })

  it('queues notices without a group', () => {
    render(
      <ToastProvider>
        <Grab />
      </ToastProvider>,
    )
    act(() => notify('Experiment started'))
    act(() => notify('Alert acknowledged'))
    expect(screen.getAllByTestId('live-toast')).toHaveLength(2)
  })
})
