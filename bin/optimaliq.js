#!/usr/bin/env node
// Entry point for `npx optimaliq`: Node 24 runs the TypeScript sources directly.
import '../src/main/cli.ts'
