import { loadConfig, type Config } from '../../src/config/env.ts'
import {
  createSimulator,
  type Faults,
  type SimulatedProvider,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.ts'

export type TestSimulator = Simulator & {
  /** A full Config (defaults + these env vars) with the given providers pointed at the simulator. */
  config(providers?: readonly SimulatedProvider[], extra?: Record<string, string | undefined>): Config
}

/**
 * Start a provider simulator on a free loopback port. `env(['openai', 'anthropic'])` gives the
 * OptimaliQ environment variables that point those providers at it (merge them into
 * `startTestApp(kind, env)`); `setFaults({status: 500, failureRate: 0.5}, 'openai')` scripts
 * faults; `stats()` counts requests per provider. Always `close()` in `afterAll`.
 */
export async function startSimulator(options: SimulatorOptions & { faults?: Faults } = {}): Promise<TestSimulator> {
  const sim = await createSimulator(options)
  return {
    ...sim,
    config(providers, extra = {}) {
      return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...sim.env(providers), ...extra })
    },
  }
}
