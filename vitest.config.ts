import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Integration suites create their own databases; two cores, so two workers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      // Pure logic beside the code (`npm run test:unit`): no database server needed.
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts', 'web/src/**/*.test.ts'] } },
      // Real PostgreSQL and PGlite, servers, Chromium: named after the src/ part they cover.
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'] } },
      // The web app's components (React, jsdom, Testing Library): `*.test.tsx` under web/src.
      {
        extends: true,
        test: {
          name: 'web',
          include: ['web/src/**/*.test.tsx'],
          environment: 'jsdom',
          setupFiles: ['web/src/test/setup.ts'],
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/gateway/**', 'src/features/**', 'src/governance/**', 'src/domain/**'],
      exclude: ['**/*.test.ts', '**/*.json'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 90 },
      // The figure is wanted even when a flaky test fails the run (the failure is reported anyway).
      reportOnFailure: true,
    },
  },
})
