import { QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createBrowserRouter, RouterProvider } from 'react-router'
import { createQueryClient, keys } from './app/query.ts'
import type { Scores, User } from './api/types.ts'
import { LiveProvider } from './app/session.tsx'
import { ToastProvider } from './app/toasts.tsx'
import { queries } from './app/queries.ts'
import { resolveFirstRoute } from './app/first-route.ts'
import { createRoutes } from './routes.tsx'
import './styles.css'

const queryClient = createQueryClient()
readBoot()
// Who is signed in, asked at once unless the page said: every page waits for it.
void queryClient.prefetchQuery(queries.me)
const routes = createRoutes(queryClient)
// Signed in (or not yet known): the page's code first, then one render of the page itself.
void (
  queryClient.getQueryData(keys.me) === null ? Promise.resolve(undefined) : resolveFirstRoute(routes, window.location)
).then((hydrationData) => render(createBrowserRouter(routes, { hydrationData })))

function render(router: ReturnType<typeof createBrowserRouter>) {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <ToastProvider>
          <LiveProvider>
            <RouterProvider router={router} />
          </LiveProvider>
        </ToastProvider>
      </QueryClientProvider>
    </StrictMode>,
  )
}

/**
 * What the server wrote into the page (`src/http/routes/web.ts`): the signed-in user and, on `/`,
 * the scores, so the first screen needs no API round trip. Absent (the Vite dev server, a server
 * that could not tell), the app asks the API as usual.
 */
function readBoot() {
  const element = document.getElementById('oq-boot')
  if (!element?.textContent) return
  try {
    const boot = JSON.parse(element.textContent) as { me?: User | null; scores?: Scores }
    if (boot.me !== undefined) queryClient.setQueryData(keys.me, boot.me)
    if (boot.scores) queryClient.setQueryData(keys.scores, boot.scores)
  } catch {
    // A page the app cannot read: ask the API.
  }
  element.remove()
}
