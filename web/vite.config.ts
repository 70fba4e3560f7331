import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'

/** The web app. `vite` (dev) proxies API calls to the server on API_URL (default http://localhost:3000). */
const api = process.env.API_URL ?? 'http://localhost:3000'

/**
 * `/` is the dashboard, where a signed-in user lands: its chunk and the chunks it imports are
 * `modulepreload`ed from index.html, so they download beside the entry instead of after it has
 * run (and queue behind the dashboard's API calls). Charts stay out: they load when drawn.
 */
function preloadDashboard(): Plugin {
  return {
    name: 'optimaliq:preload-dashboard',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle
        if (!bundle) return html
        const page = Object.values(bundle).find(
          (c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('/src/pages/DashboardPage.tsx'),
        )
        if (!page) throw new Error('preload-dashboard: no chunk for src/pages/DashboardPage.tsx')
        const files = new Set<string>()
        const visit = (file: string) => {
          const chunk = bundle[file]
          if (files.has(file) || chunk?.type !== 'chunk') return
          files.add(file)
          chunk.imports.forEach(visit)
        }
        visit(page.fileName)
        return [...files]
          .filter((file) => !html.includes(`/${file}"`))
          .map((file) => ({
            tag: 'link',
            attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` },
            injectTo: 'head' as const,
          }))
      },
    },
  }
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), preloadDashboard()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // Recharts' chunk (~510 kB raw, ~140 kB gzip) is loaded only by pages that draw a chart.
    chunkSizeWarningLimit: 600,
  },
  server: {
    port: 5173,
    proxy: {
      '/api/realtime': { target: api, changeOrigin: true, headers: { accept: 'text/event-stream' } },
      '/api': { target: api, changeOrigin: true },
      '/docs': api,
      '/openapi.json': api,
    },
  },
})
