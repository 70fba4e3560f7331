import { matchRoutes, type RouteObject } from 'react-router'

/**
 * Before the first render: the code of the routes that match the address (their `lazy`) and
 * their loaders' data, so the router starts initialized and React draws the page in its first
 * pass — not a skeleton first and the page later, in a time-sliced transition (bench/web.ts).
 * Returns the router's `hydrationData`, or `undefined` when the router should load by itself
 * (nothing matched, a loader on a route without an `id`, a failure: it then tries again and shows
 * its own error).
 */
export async function resolveFirstRoute(
  routes: RouteObject[],
  location: Location,
): Promise<{ loaderData: Record<string, unknown> } | undefined> {
  const matches = matchRoutes(routes, location.pathname)
  if (!matches) return undefined
  try {
    await Promise.all(
      matches.map(async ({ route }) => {
        if (typeof route.lazy !== 'function') return
        const loaded = await route.lazy()
        Object.assign(route, loaded)
        delete route.lazy
      }),
    )
    const loaderData: Record<string, unknown> = {}
    for (const { route, params } of matches) {
      if (typeof route.loader !== 'function') continue
      if (!route.id) return undefined
      const args: Parameters<typeof route.loader>[0] = {
        request: new Request(location.href),
        url: new URL(location.href),
        pattern: route.path ?? '',
        params,
        context: undefined,
      }
      loaderData[route.id] = await route.loader(args)
    }
    return { loaderData }
  } catch {
    return undefined
  }
}
