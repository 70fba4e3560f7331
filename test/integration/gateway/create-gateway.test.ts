import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../helpers/backends.ts'
import { createGateway, gatewayCatalog, loadGatewayFile, loadRoutes } from '../../../src/gateway/create-gateway.ts'
import { catalog } from '../../../src/gateway/catalog/model-catalog.ts'

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

  it('reads strategies, rules and custom prices from the file, and refuses bad ones with the path at fault', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oq-routes-'))
    const file = join(dir, 'optimaliq.json')
    await writeFile(
      file,
      JSON.stringify({
        routes: {
          cheap: { strategy: 'cost', candidates: ['openai/gpt-4.1', 'openai/gpt-4.1-nano', 'custom/llama3.1:8b'] },
          fast: { strategy: 'latency', candidates: ['openai/gpt-4.1-mini'], latency: { probeAfterSeconds: 10 } },
          default: { rules: [{ when: { metadata: { team: 'search' } }, route: 'cheap' }] },
        },
        prices: {
          'custom/llama3.1:8b': { inputPerMillion: 0.02, outputPerMillion: 0.05 },
          'openai/gpt-4.1-nano-2025-04-14': { inputPerMillion: 0.05, outputPerMillion: 0.2 },
        },
      }),
    )
    const config = testConfig({
      OPTIMALIQ_CONFIG: file,
      OPENAI_API_KEY: 'k',
      OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:9/v1',
      OPENAI_COMPATIBLE_MODEL: 'llama3.1:8b',
    })
    const ai = createGateway({ config, db: undefined as never })
    expect(ai.routes.plan('cheap').strategy).toBe('cost')
    expect(ai.routes.plan('fast')).toMatchObject({ strategy: 'latency', latency: { probeAfterSeconds: 10 } })
    expect(ai.routes.plan('default', { metadata: { team: 'search' } }).name).toBe('cheap')
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 }
    // The custom model's cost is known; the alias-keyed price overrides the catalog's list price.
    expect(ai.catalog.costUsd('custom', 'llama3.1:8b', usage)).toBe(0.07)
    expect(ai.catalog.costUsd('openai', 'gpt-4.1-nano', usage)).toBe(0.25)
    expect(ai.catalog.costUsd('openai', 'gpt-4.1-mini', usage)).toBe(2)
    expect(ai.catalog.costUsd('custom', 'llama3.1:8b', { inputTokens: undefined, outputTokens: 5 })).toBeUndefined()
    await ai.close()
    expect(gatewayCatalog(catalog).costUsd('custom', 'llama3.1:8b', usage)).toBeUndefined()

    const refused = async (data: unknown) => {
      await writeFile(file, JSON.stringify(data))
      return () => loadGatewayFile(file)
    }
    expect(await refused({ routes: { a: { strategy: 'fastest', candidates: ['x'] } } })).toThrow(/routes.a/)
    expect(await refused({ routes: { a: { rules: [{ when: { tier: ['free'] }, route: 'nowhere' }] } } })).toThrow(
      /routes.a.rules.0.route: no route named "nowhere"/,
    )
    expect(await refused({ routes: { a: { strategy: 'cost' } } })).toThrow(/routes.a: needs candidates or rules/)
    expect(await refused({ prices: { llama: { inputPerMillion: 1, outputPerMillion: 1 } } })).toThrow(/prices.llama/)
    expect(await refused({ prices: { 'custom/x': { inputPerMillion: -1, outputPerMillion: 1 } } })).toThrow(
      /prices.custom\/x.inputPerMillion/,
    )
  })
})
