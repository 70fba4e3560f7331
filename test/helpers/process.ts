import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/** A real `optimaliq` process (`node src/main/cli.ts …`), as production runs it. */
export type OptimaliqProcess = {
  child: ChildProcess
  address: string | undefined
  output: string[]
  stop(): Promise<void>
  kill9(): Promise<void>
}

const CLI = resolve(import.meta.dirname, '../../src/main/cli.ts')

export async function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: RegExp = /OptimaliQ (listening|worker running)/,
): Promise<OptimaliqProcess> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      OPTIMALIQ_DATA_DIR: mkdtempSync(join(tmpdir(), 'optimaliq-proc-')),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  let address: string | undefined
  const started = new Promise<void>((resolveStart, rejectStart) => {
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue
        output.push(line)
        if (ready.test(line)) {
          try {
            address = (JSON.parse(line) as { address?: string }).address
          } catch {
            // not JSON: fine
          }
          resolveStart()
        }
      }
    }
    child.stdout!.on('data', onLine)
    child.stderr!.on('data', onLine)
    child.once('exit', (code) =>
      rejectStart(new Error(`${args.join(' ')} exited with ${code}:\n${output.slice(-20).join('\n')}`)),
    )
  })
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000)
  await started.finally(() => clearTimeout(timeout))
  const exited = once(child, 'exit')
  return {
    child,
    address,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await exited
    },
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGKILL')
      await exited
    },
  }
}
