import { lazy, Suspense } from 'react'
import type { ModalOptions } from '../components/Modal.tsx'
import { Skeleton } from '../components/ui.tsx'
import type { Sources } from './Planner.tsx'

/** The form and its schema load with the modal, not with the page that offers it. */
const Planner = lazy(() => import('./Planner.tsx'))

/** The strategy planner modal: levers and roadmap items into a dated plan with owners, progress and status, saved on the server. */
export function plannerModal(sources: Sources): ModalOptions {
  return {
    title: 'Strategy planner',
    description: 'Turn your levers and roadmap into dated work with owners. Saved to your account.',
    size: 'xl',
    testId: 'planner-modal',
    render: ({ close }) => (
      <Suspense fallback={<Skeleton lines={6} label="Loading the planner" />}>
        <Planner sources={sources} onSaved={close} />
      </Suspense>
    ),
  }
}
