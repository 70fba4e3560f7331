import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../helpers/backends.ts'
import { createGateway, loadRoutes } from '../../../src/gateway/create-gateway.ts'

describe('gateway wiring', () => {
  it('reads named routes from the OPTIMALIQ_CONFIG file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oq-routes-'))
    const file = join(dir, 'optimaliq.json')
    await writeFile(
      file,
      JSON.stringify({
        tiers: { free: {} },
        routes: {
          cheap: ['gpt-4.1-mini', { provider: 'anthropic', model: 'claude-sonnet-4-0', weight: 2 }, 'mistral/absent'],
        },
      }),
    )
    expect(loadRoutes(undefined)).toEqual({})
    const config = testConfig({ OPTIMALIQ_CONFIG: file, OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k' })
    const ai = createGateway({ config, db: undefined as never })
    expect(ai.routes.names()).toEqual(['default', 'cheap'])
    expect(ai.routes.resolve('cheap').map((c) => c.provider)).toEqual(['openai', 'anthropic'])
    expect([...ai.upstreams.keys()]).toEqual(['openai'])
    await ai.close()
    await writeFile(file, JSON.stringify({ routes: { empty: [] } }))
    expect(() => loadRoutes(file)).toThrow(/routes.empty/)
    await writeFile(file, '{not json')
    expect(() => loadRoutes(file)).toThrow(/could not be read/)
  })
})
