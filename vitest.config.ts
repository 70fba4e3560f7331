import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Integration suites create their own databases; two cores, so two workers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: ['node_modules', 'data', 'web/**'] },
      },
      {
        // The web app's component tests: React in jsdom with Testing Library.
        extends: true,
        test: { name: 'web', include: ['web/src/**/*.test.{ts,tsx}'], environment: 'jsdom', setupFiles: ['web/src/test/setup.ts'] },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/ai/**', 'src/domain/**'],
      exclude: ['**/*.test.ts', '**/*.json'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 90 },
    },
  },
})
