import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules', 'data', 'web/**'],
    // Integration suites create their own databases; two cores, so two workers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['src/ai/**', 'src/domain/**'],
      exclude: ['**/*.test.ts', '**/*.json'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 90 },
    },
  },
})
