/**
 * Build the web app (`web/` → `web/dist`) with Vite. Runs on `npm install` (prepare) and before
 * `npm start` (prestart, with --if-stale: only when the build is missing or older than its sources).
 * Without Vite installed (production install without dev dependencies) it skips with a warning:
 * the server then runs API-only.
 *
 *   node tools/build-web.ts [--if-stale]
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type * as Vite from 'vite'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const WEB = join(ROOT, 'web')
const INDEX = join(WEB, 'dist', 'index.html')
/** Everything the bundle is made of. */
const SOURCES = [
  join(WEB, 'src'),
  join(WEB, 'public'),
  join(WEB, 'index.html'),
  join(WEB, 'vite.config.ts'),
  join(ROOT, 'src', 'contracts'),
  join(ROOT, 'tools', 'build-web.ts'),
]

function newest(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))))
}

/** True when `web/dist` is missing or older than a source file. */
export function webBuildStale(): boolean {
  if (!existsSync(INDEX)) return true
  const built = statSync(INDEX).mtimeMs
  return SOURCES.some((s) => newest(s) > built)
}

const COMPRESSIBLE = /\.(js|css|html|svg|json|ico|txt|map)$/

/**
 * Write `.br` and `.gz` beside every compressible file (the server sends them as they are, with
 * `content-encoding`): brotli at its best quality and gzip -9 cost nothing at request time.
 */
export function precompress(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      precompress(path)
      continue
    }
    if (!COMPRESSIBLE.test(name)) continue
    const data = readFileSync(path)
    writeFileSync(
      `${path}.br`,
      brotliCompressSync(data, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
      }),
    )
    writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }))
  }
}

/** Build the app; returns false (with a warning) when Vite is not installed. */
export async function buildWeb(options: { ifStale?: boolean; quiet?: boolean } = {}): Promise<boolean> {
  if (options.ifStale && !webBuildStale()) return true
  let vite: typeof Vite
  try {
    vite = await import('vite')
  } catch {
    console.warn(
      'vite is not installed (dev dependencies omitted?): web app not built, the server will serve the API only',
    )
    return false
  }
  // Build beside the old bundle and swap it in: test files building at once never see half a build.
  const dist = join(WEB, 'dist')
  // Vite and the React plugin pick development JSX whenever NODE_ENV says so (as in a test run).
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  const fresh = join(WEB, `.dist-${process.pid}-${Date.now()}`)
  try {
    await vite.build({
      configFile: join(WEB, 'vite.config.ts'),
      mode: 'production',
      logLevel: options.quiet ? 'warn' : 'info',
      build: { outDir: fresh, emptyOutDir: true },
    })
    precompress(fresh)
    rmSync(dist, { recursive: true, force: true })
    renameSync(fresh, dist)
  } catch (error) {
    // Another build won the swap: theirs is as good as ours.
    if (!existsSync(join(dist, 'index.html'))) throw error
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
    rmSync(fresh, { recursive: true, force: true })
  }
  return true
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now()
  const built = await buildWeb({ ifStale: process.argv.includes('--if-stale') })
  if (built) console.log(`web app ready in web/dist (${Math.round(performance.now() - started)} ms)`)
}
