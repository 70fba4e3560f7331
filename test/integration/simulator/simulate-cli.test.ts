import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'

const CLI = new URL('../../../src/main/cli.ts', import.meta.url).pathname

/** Start `optimaliq simulate`, wait for its banner, and return the output so far. */
async function simulate(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'simulate', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const exited = once(child, 'exit')
  await Promise.race([
    exited,
    new Promise<void>((resolve) => {
      const check = () => (/stats\s+curl/.test(output) ? resolve() : setTimeout(check, 20))
      check()
    }),
  ])
  const url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      const [code] = (await exited) as [number | null]
      return code
    },
  }
}

describe('optimaliq simulate', () => {
  it('prints every base URL and the env to point OptimaliQ at it, and applies --fault flags', async () => {
    const sim = await simulate(['--fault', 'openai:status=503,failure-rate=0.5', '--fault', 'latency=1'])
    try {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      for (const line of [
        'OPENAI_BASE_URL=',
        'ANTHROPIC_BASE_URL=',
        'GOOGLE_GENERATIVE_AI_BASE_URL=',
        'GOOGLE_VERTEX_BASE_URL=',
        'MISTRAL_BASE_URL=',
        'AZURE_BASE_URL=',
        'OPENAI_COMPATIBLE_BASE_URL=',
      ]) {
        expect(sim.output()).toContain(`export ${line}${sim.url}/`)
      }
      const faults = await (await fetch(`${sim.url}/_control/faults`)).json()
      expect(faults).toEqual({ openai: { status: 503, failureRate: 0.5 }, '*': { latencyMs: 1 } })
    } finally {
      expect(await sim.stop()).toBe(0)
    }
  })

  it('rejects a bad fault or port', async () => {
    const bad = await simulate(['--fault', 'explode'])
    expect(await bad.stop()).toBe(2)
    expect(bad.output()).toMatch(/unknown fault "explode"/)
    const child = spawn(process.execPath, [CLI, 'simulate', '--port', 'x'], { stdio: 'ignore' })
    const [code] = (await once(child, 'exit')) as [number]
    expect(code).toBe(2)
  })
})
