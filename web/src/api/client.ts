/**
 * A typed fetch client for the OptimaliQ API. Paths and response types come from `src/contracts`
 * (see `./types.ts`): `api.get('/api/assessments/:type/history', { params: { type } })` is typed
 * as `History`. The session is the httpOnly cookie the API sets, so requests only need
 * `credentials: 'same-origin'`. Failures become an `ApiError` carrying `{code, message, details}`;
 * validation errors also map each field (`body.email` → `email`) to a plain-words message.
 */
import { plainMessage } from './errors.ts'
import type { DeleteRoutes, GetRoutes, PatchRoutes, PostRoutes } from './types.ts'

export type FieldIssue = { field: string; message: string; code?: string }

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

  /** Field → plain message, the leading `body.`/`query.` stripped (`body.answers.q1` → `answers.q1`). */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    if (Array.isArray(this.details)) {
      for (const issue of this.details as FieldIssue[]) {
        if (typeof issue?.field !== 'string') continue
        const key = issue.field.replace(/^(body|querystring|query|params)\.?/, '')
        out[key || '_'] ??= plainMessage(issue.message)
      }
    }
    // Conflicts the server names a field for (an email already taken).
    const field = (this.details as { field?: unknown } | undefined)?.field
    if (typeof field === 'string') out[field.replace(/^(body|querystring|query|params)\.?/, '')] ??= this.message
    if (this.code === 'email_taken' || (this.status === 409 && /email/i.test(this.message)))
      out.email ??= 'An account with this email already exists. Sign in instead?'
    return out
  }

  /** The endpoint does not exist on this server (a feature not deployed yet). */
  get missing(): boolean {
    return this.status === 404 && this.code === 'not_found' && this.message.startsWith('No route')
  }

  /** Worth retrying by itself: the network or the server, not the request. */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'
type Params = Record<string, string | number>
type Query = Record<string, string | number | boolean | undefined>
/** `:name` segments of a path pattern, as an object type. */
type ParamsOf<P extends string> = P extends `${string}:${infer K}/${infer Rest}`
  ? { [k in K]: string | number } & ParamsOf<`/${Rest}`>
  : P extends `${string}:${infer K}`
    ? { [k in K]: string | number }
    : unknown
type Options<P extends string> = (P extends `${string}:${string}`
  ? { params: ParamsOf<P> }
  : { params?: undefined }) & { query?: Query; signal?: AbortSignal }

/** Hooks the app sets: what to do when the session is gone. */
export const clientHooks: { onUnauthorized?: () => void } = {}

export function buildPath(pattern: string, params?: Params, query?: Query): string {
  const path = pattern.replace(/:(\w+)/g, (_, k: string) => {
    const v = params?.[k]
    if (v === undefined) throw new Error(`missing path parameter ${k} for ${pattern}`)
    return encodeURIComponent(String(v))
  })
  const q = Object.entries(query ?? {}).filter(([, v]) => v !== undefined)
  return q.length ? `${path}?${new URLSearchParams(q.map(([k, v]) => [k, String(v)])).toString()}` : path
}

export async function request<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
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
      signal,
    })
  } catch (e) {
    if (signal?.aborted) throw e
    throw new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection and try again.')
  }
  return settle<T>(response.status, await response.text(), path)
}

/** A response's JSON, or its `{error}` as an ApiError (a 401 outside /api/auth tells the app the session is gone). */
function settle<T>(status: number, text: string, path: string): T {
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  if (status < 200 || status >= 300) {
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error
    const failure = new ApiError(
      status,
      error?.code ?? 'http_error',
      error?.message ?? (status === 0 ? 'Cannot reach the server.' : `Request failed (${status})`),
      error?.details,
    )
    if (status === 401 && !path.startsWith('/api/auth/')) clientHooks.onUnauthorized?.()
    throw failure
  }
  return json as T
}

/** POST a body that is not JSON (a CSV file as `text/csv`). */
export async function postRaw<T>(path: string, body: string | Blob, contentType: string): Promise<T> {
  let response: Response
  try {
    response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': contentType },
      body,
    })
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection and try again.')
  }
  return settle<T>(response.status, await response.text(), path)
}

/**
 * Upload one file as `multipart/form-data` (field `file`), reporting progress 0–1. XMLHttpRequest,
 * because fetch has no upload progress.
 */
export function uploadFile<T>(
  path: string,
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', path)
    xhr.withCredentials = true
    xhr.setRequestHeader('accept', 'application/json')
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total)
    }
    xhr.onload = () => {
      try {
        resolve(settle<T>(xhr.status, xhr.responseText, path))
      } catch (error) {
        reject(error)
      }
    }
    xhr.onerror = () =>
      reject(new ApiError(0, 'network_error', 'The upload was interrupted. Check your connection and try again.'))
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.'))
    signal?.addEventListener('abort', () => xhr.abort())
    const form = new FormData()
    form.append('file', file)
    xhr.send(form)
  })
}

export const api = {
  get: <P extends keyof GetRoutes & string>(
    path: P,
    ...[options]: P extends `${string}:${string}` ? [Options<P>] : [Options<P>?]
  ) =>
    request<GetRoutes[P]>(
      'GET',
      buildPath(path, options?.params as Params | undefined, options?.query),
      undefined,
      options?.signal,
    ),
  post: <P extends keyof PostRoutes & string>(
    path: P,
    body: PostRoutes[P]['body'],
    ...[options]: P extends `${string}:${string}` ? [Options<P>] : [Options<P>?]
  ) =>
    request<PostRoutes[P]['res']>(
      'POST',
      buildPath(path, options?.params as Params | undefined, options?.query),
      body ?? {},
    ),
  patch: <P extends keyof PatchRoutes & string>(path: P, body: PatchRoutes[P]['body'], options: Options<P>) =>
    request<PatchRoutes[P]['res']>('PATCH', buildPath(path, options.params as Params | undefined, options.query), body),
  delete: <P extends keyof DeleteRoutes & string>(
    path: P,
    ...[options]: P extends `${string}:${string}` ? [Options<P>] : [Options<P>?]
  ) => request<DeleteRoutes[P]>('DELETE', buildPath(path, options?.params as Params | undefined, options?.query)),
}
