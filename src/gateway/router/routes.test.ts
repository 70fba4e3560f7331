import { describe, expect, it } from 'vitest'
import { createRouteTable, ruleMatches, UnknownModelError } from './routes.ts'

const sources = {
  providers: ['openai', 'anthropic', 'bedrock'],
  defaultModel: (p: string) =>
    ({ openai: 'gpt-4.1-mini', anthropic: 'claude-sonnet-4-0', bedrock: 'amazon.nova-lite-v1:0' })[p],
  resolveModel: (n: string) =>
    n === 'nova-micro' ? { provider: 'bedrock', model: 'amazon.nova-micro-v1:0' } : undefined,
}

const table = () =>
  createRouteTable(sources, {
    cheap: { strategy: 'cost', candidates: ['nova-micro', 'openai/gpt-4.1-nano'] },
    quality: ['anthropic/claude-opus-4-1', 'openai/gpt-4.1'],
    split: [
      { provider: 'openai', model: 'gpt-4.1-mini', weight: 3 },
      { provider: 'anthropic', model: 'claude-3-5-haiku', weight: 1 },
    ],
    default: {
      strategy: 'ordered',
      rules: [
        { when: { tier: ['enterprise'] }, route: 'quality' },
        { when: { feature: ['growth_levers'] }, route: 'cheap' },
        { when: { apiKeyId: ['key-batch'] }, route: 'cheap' },
        { when: { metadata: { team: ['search', 'ads'], env: 'prod' } }, route: 'split' },
        { when: { tier: ['premium'] }, route: 'gone' },
      ],
    },
  })

describe('route table: strategies, rules and stored routes', () => {
  it('reads a candidate list with weights as a weighted route, and a definition as written', () => {
    const t = table()
    expect(t.plan('split').strategy).toBe('weighted')
    expect(t.plan('quality').strategy).toBe('ordered')
    expect(t.plan('cheap')).toMatchObject({
      name: 'cheap',
      strategy: 'cost',
      candidates: [
        { provider: 'bedrock', model: 'amazon.nova-micro-v1:0' },
        { provider: 'openai', model: 'gpt-4.1-nano' },
      ],
    })
    // A default with rules only keeps the built-in candidates.
    expect(t.plan('default', {}).candidates.map((c) => c.provider)).toEqual(['openai', 'anthropic', 'bedrock'])
    expect(t.plan('openai/gpt-4o')).toEqual({
      name: 'openai/gpt-4o',
      strategy: 'ordered',
      candidates: [{ provider: 'openai', model: 'gpt-4o' }],
    })
  })

  it('lets the first matching rule choose the route, on tier, feature, API key or metadata', () => {
    const t = table()
    expect(t.plan('default', { tier: 'enterprise', feature: 'growth_levers' }).name).toBe('quality')
    expect(t.plan(undefined, { tier: 'free', feature: 'growth_levers' }).name).toBe('cheap')
    expect(t.plan('default', { apiKeyId: 'key-batch' }).name).toBe('cheap')
    expect(t.plan('default', { metadata: { team: 'ads', env: 'prod' } }).name).toBe('split')
    // Every field of a condition must match.
    expect(t.plan('default', { metadata: { team: 'ads', env: 'dev' } }).name).toBe('default')
    expect(t.plan('default', { metadata: { team: 'web', env: 'prod' } }).name).toBe('default')
    // A rule naming a route that does not exist is passed over; other routes' rules do not apply.
    expect(t.plan('default', { tier: 'premium' }).name).toBe('default')
    expect(t.plan('cheap', { tier: 'enterprise' }).name).toBe('cheap')
    expect(t.plan('openai/gpt-4o', { tier: 'enterprise' }).name).toBe('openai/gpt-4o')
  })

  it('matches conditions field by field', () => {
    expect(ruleMatches({ tier: ['free'] }, {})).toBe(false)
    expect(ruleMatches({ metadata: { a: 'x' } }, { metadata: { b: 'x' } })).toBe(false)
    expect(ruleMatches({ metadata: { a: ['x', 'y'] } }, { metadata: { a: 'y' } })).toBe(true)
    expect(ruleMatches({ apiKeyId: ['k'], tier: ['free'] }, { apiKeyId: 'k', tier: 'free' })).toBe(true)
  })

  it('lays stored routes over the file: new routes, replaced ones, candidates inherited, removal restores', () => {
    const t = table()
    t.setStored({
      cheap: { strategy: 'latency' },
      fresh: { strategy: 'cost', candidates: ['openai/gpt-4.1-nano', 'mistral/not-configured'] },
      quality: { strategy: 'ordered', candidates: ['bedrock/amazon.nova-pro-v1:0'] },
      default: { strategy: 'ordered', rules: [{ when: { tier: ['free'] }, route: 'fresh' }] },
    })
    expect(t.plan('cheap')).toMatchObject({
      strategy: 'latency',
      candidates: [{ provider: 'bedrock' }, { provider: 'openai' }],
    })
    expect(t.plan('fresh').candidates).toEqual([{ provider: 'openai', model: 'gpt-4.1-nano' }])
    expect(t.plan('quality').candidates).toEqual([{ provider: 'bedrock', model: 'amazon.nova-pro-v1:0' }])
    // The stored default's rules replace the file's.
    expect(t.plan('default', { tier: 'free' }).name).toBe('fresh')
    expect(t.plan('default', { tier: 'enterprise' }).name).toBe('default')
    expect(t.entries().find((e) => e.name === 'fresh')?.source).toBe('admin')
    t.setStored({})
    expect(t.plan('cheap').strategy).toBe('cost')
    expect(t.plan('default', { tier: 'enterprise' }).name).toBe('quality')
    expect(() => t.plan('fresh')).toThrow(UnknownModelError)
    expect(t.entries().find((e) => e.name === 'cheap')?.source).toBe('config')
    expect(t.candidateOf('mistral/x')).toBeUndefined()
    expect(t.candidateOf({ provider: 'openai', model: 'gpt-4o', weight: 2 })).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      weight: 2,
    })
  })

  it('keeps a rules-only route whose rules do not match from answering with nothing', () => {
    const t = createRouteTable(sources, {
      router: { strategy: 'ordered', rules: [{ when: { tier: ['enterprise'] }, route: 'default' }] },
    })
    expect(t.plan('router', { tier: 'enterprise' }).name).toBe('default')
    expect(() => t.plan('router', { tier: 'free' })).toThrow(UnknownModelError)
  })
})
