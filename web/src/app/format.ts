// Formatting lives in lib/ (components use it too); this re-export keeps the app's imports short.
export * from '../lib/format.ts'
