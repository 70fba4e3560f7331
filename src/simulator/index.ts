export { createSimulator, type Simulator, type SimulatorOptions, type SimulatorStats } from './server.ts'
export { faultsSchema, parseFaultHeader, type Faults } from './faults.ts'
export {
  simulatorBaseUrls,
  simulatorEnv,
  SIMULATED_PROVIDERS,
  SIM_CUSTOM_MODEL,
  type SimulatedProvider,
} from './endpoints.ts'
export { sampleFromSchema, violateSchema } from './json-schema-sample.ts'
