import { QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import type { ReactNode } from 'react'
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router'
import { vi } from 'vitest'
import { createQueryClient } from '../app/query.ts'
import { ModalProvider } from '../components/Modal.tsx'

type Reply = { status: number; body?: unknown }
export type FetchCall = { method: string; url: string; body: unknown }

/** A fake `fetch` answering by "METHOD /path" (a function may look at the body); records every call. */
export function fakeFetch(routes: Record<string, Reply | ((body: unknown) => Reply)>) {
  const calls: FetchCall[] = []
  const fn = vi.fn(async (input: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET'
    const url = String(input)
    const body = init?.body ? JSON.parse(String(init.body)) : undefined
    calls.push({ method, url, body })
    const route = routes[`${method} ${url.split('?')[0]}`]
    const reply =
      typeof route === 'function'
        ? route(body)
        : (route ?? { status: 404, body: { error: { code: 'not_found', message: `No route for ${method} ${url}` } } })
    return new Response(reply.body === undefined ? '' : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'content-type': 'application/json' },
    })
  })
  vi.stubGlobal('fetch', fn)
  return calls
}

/** Render routes in a memory router with a fresh query client and the modal system. */
export function renderRoutes(
  routes: RouteObject[],
  path: string,
  extra?: (client: ReturnType<typeof createQueryClient>) => void,
) {
  const client = createQueryClient()
  extra?.(client)
  const router = createMemoryRouter([{ element: <Wrap />, children: routes }], { initialEntries: [path] })
  function Wrap() {
    return <ModalProvider>{outlet()}</ModalProvider>
  }
  const utils = render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  )
  return { ...utils, router, client }
}

import { Outlet } from 'react-router'
function outlet(): ReactNode {
  return <Outlet />
}
