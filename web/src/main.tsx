import { QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createBrowserRouter, RouterProvider } from 'react-router'
import { createQueryClient } from './app/query.ts'
import { LiveProvider } from './app/session.tsx'
import { ToastProvider } from './app/toasts.tsx'
import { queries } from './app/queries.ts'
import { createRoutes } from './routes.tsx'
import './styles.css'

const queryClient = createQueryClient()
// Who is signed in, asked at once: every page waits for it.
void queryClient.prefetchQuery(queries.me)
const router = createBrowserRouter(createRoutes(queryClient))

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
