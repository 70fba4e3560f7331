/**
 * A small typed fetch client for the OptimaliQ API. The session is the httpOnly cookie the API
 * sets on sign-up/sign-in, so requests only need `credentials: 'same-origin'`. Failures become an
 * `ApiError` carrying the API's `{error: {code, message, details}}`; validation errors also map
 * each field (`body.email` → `email`) to its message, for display beside the field.
 */

export type FieldIssue = { field: string; message: string }

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: unknown
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }

  /** Field → message, the leading `body.`/`query.` stripped (`body.answers.q1` → `answers.q1`). */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    if (!Array.isArray(this.details)) return out
    for (const issue of this.details as FieldIssue[]) {
      if (typeof issue?.field !== 'string') continue
      const key = issue.field.replace(/^(body|querystring|query|params)\.?/, '')
      out[key || '_'] ??= issue.message.charAt(0).toUpperCase() + issue.message.slice(1)
    }
    return out
  }

  /** The endpoint does not exist on this server (a feature not deployed yet). */
  get missing(): boolean {
    return this.status === 404 && this.code === 'not_found' && this.message.startsWith('No route')
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  let response: Response
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection and try again.')
  }
  const text = await response.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error
    throw new ApiError(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `Request failed (${response.status})`,
      error?.details,
    )
  }
  return json as T
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
}
