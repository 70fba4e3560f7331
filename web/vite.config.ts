import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/** The web app. `vite` (dev) proxies API calls to the server on API_URL (default http://localhost:3000). */
const api = process.env.API_URL ?? 'http://localhost:3000'

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
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
