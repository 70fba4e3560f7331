import { describe, expect, it } from 'vitest'
import type { AiCandidate } from '../types.ts'
import { createLatencyTracker } from './latency.ts'
import { misfit, orderByStrategy, weightedOrder, type CallNeeds, type StrategyDeps } from './strategies.ts'

const cheap: AiCandidate = { provider: 'bedrock', model: 'nova-micro' }
const mid: AiCandidate = { provider: 'openai', model: 'gpt-4.1-mini' }
const dear: AiCandidate = { provider: 'anthropic', model: 'claude-sonnet-4' }
const custom: AiCandidate = { provider: 'custom', model: 'llama' }

/** $ per million input/output tokens, scripted. */
const PRICES: Record<string, [number, number]> = {
  'bedrock/nova-micro': [0.035, 0.14],
  'openai/gpt-4.1-mini': [0.4, 1.6],
  'anthropic/claude-sonnet-4': [3, 15],
}
const CAPS: Record<string, string[]> = {
  'bedrock/nova-micro': ['json_schema', 'tools'],
  'openai/gpt-4.1-mini': ['json_schema', 'tools', 'vision'],
  'anthropic/claude-sonnet-4': ['json_schema', 'tools', 'vision'],
}
const WINDOWS: Record<string, number> = {
  'bedrock/nova-micro': 128_000,
  'openai/gpt-4.1-mini': 1_000_000,
  'anthropic/claude-sonnet-4': 200_000,
}

/** A scripted world: a clock, a random sequence, breakers that are down for some candidates. */
function world(options: { down?: AiCandidate[]; random?: number[] } = {}) {
  let t = 1_000_000
  const randoms = [...(options.random ?? [])]
  const down = new Set((options.down ?? []).map((c) => `${c.provider}/${c.model}`))
  const latency = createLatencyTracker({ now: () => t })
  const deps: StrategyDeps = {
    random: () => randoms.shift() ?? 0.99,
    now: () => t,
    healthy: (c) => !down.has(`${c.provider}/${c.model}`),
    costOf: (c, needs) => {
      const price = PRICES[`${c.provider}/${c.model}`]
      return price ? (needs.inputTokens * price[0] + needs.outputTokens * price[1]) / 1e6 : undefined
    },
    capabilities: (p, m) => CAPS[`${p}/${m}`],
    contextWindow: (p, m) => WINDOWS[`${p}/${m}`],
    latency,
  }
  return {
    deps,
    latency,
    advance: (ms: number) => (t += ms),
    setDown: (list: AiCandidate[]) => {
      down.clear()
      for (const c of list) down.add(`${c.provider}/${c.model}`)
    },
  }
}

const chat = (extra: Partial<CallNeeds> = {}): CallNeeds => ({
  tools: false,
  vision: false,
  jsonSchema: false,
  inputTokens: 500,
  outputTokens: 200,
  ...extra,
})
const names = (list: AiCandidate[]) => list.map((c) => c.provider)

describe('ordered', () => {
  it('keeps the route as written, whatever the prices and health', () => {
    const { deps } = world({ down: [dear] })
    expect(names(orderByStrategy({ strategy: 'ordered' }, [dear, mid, cheap], chat(), deps))).toEqual([
      'anthropic',
      'openai',
      'bedrock',
    ])
  })
})

describe('weighted', () => {
  it('draws a full order by weight: every place, not only the first', () => {
    const list = [
      { ...cheap, weight: 1 },
      { ...mid, weight: 1 },
      { ...dear, weight: 8 },
    ]
    // Keys -ln(1-u)/w: u = 0.5, 0.1, 0.5 → 0.69, 0.105, 0.087: dear, then mid, then cheap.
    expect(names(weightedOrder(list, scripted([0.5, 0.1, 0.5])))).toEqual(['anthropic', 'openai', 'bedrock'])
    // u = 0.05, 0.9, 0.99 → 0.05, 2.3, 0.58: cheap, dear, mid — the fallbacks follow the draw too.
    expect(names(weightedOrder(list, scripted([0.05, 0.9, 0.99])))).toEqual(['bedrock', 'anthropic', 'openai'])
  })

  it('gives each candidate each place in proportion to its weight', () => {
    const list = [
      { ...cheap, weight: 1 },
      { ...mid, weight: 3 },
    ]
    let seed = 7
    const lcg = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const firsts = { bedrock: 0, openai: 0 }
    for (let i = 0; i < 4000; i++) firsts[weightedOrder(list, lcg)[0]!.provider as 'bedrock' | 'openai']++
    // 3:1 → the heavier leads ~75 % of the time.
    expect(firsts.openai / 4000).toBeGreaterThan(0.7)
    expect(firsts.openai / 4000).toBeLessThan(0.8)
  })

  it('is the strategy of a weighted route and keeps a single candidate', () => {
    const { deps } = world({ random: [0.9, 0.1] })
    expect(orderByStrategy({ strategy: 'weighted' }, [cheap], chat(), deps)).toEqual([cheap])
    expect(names(orderByStrategy({ strategy: 'weighted' }, [cheap, mid], chat(), deps))).toEqual(['openai', 'bedrock'])
  })
})

describe('cost', () => {
  it('puts the cheapest healthy candidate first, then the next cheapest', () => {
    const { deps } = world()
    expect(names(orderByStrategy({ strategy: 'cost' }, [dear, mid, cheap], chat(), deps))).toEqual([
      'bedrock',
      'openai',
      'anthropic',
    ])
  })

  it('puts an unhealthy candidate behind the healthy ones, and a model of unknown price after known ones', () => {
    const { deps } = world({ down: [cheap] })
    expect(names(orderByStrategy({ strategy: 'cost' }, [custom, dear, cheap, mid], chat(), deps))).toEqual([
      'openai',
      'anthropic',
      'custom',
      'bedrock',
    ])
  })

  it('leaves out models whose catalog capabilities do not fit the call', () => {
    const { deps } = world()
    const list = [dear, mid, cheap]
    // Images: nova-micro has no vision.
    expect(names(orderByStrategy({ strategy: 'cost' }, list, chat({ vision: true }), deps))).toEqual([
      'openai',
      'anthropic',
    ])
    // A 150k-token prompt does not fit nova-micro's 128k window.
    expect(names(orderByStrategy({ strategy: 'cost' }, list, chat({ inputTokens: 150_000 }), deps))).toEqual([
      'openai',
      'anthropic',
    ])
    // 300k: only gpt-4.1-mini's 1M window holds it.
    expect(names(orderByStrategy({ strategy: 'cost' }, list, chat({ inputTokens: 300_000 }), deps))).toEqual(['openai'])
    // Tools and JSON schema: all three can.
    expect(orderByStrategy({ strategy: 'cost' }, list, chat({ tools: true, jsonSchema: true }), deps)).toHaveLength(3)
    // A model the catalog does not know is not checked; nothing fitting keeps the list for the providers to answer.
    expect(orderByStrategy({ strategy: 'cost' }, [custom], chat({ vision: true }), deps)).toEqual([custom])
    expect(orderByStrategy({ strategy: 'cost' }, [cheap], chat({ vision: true }), deps)).toEqual([cheap])
  })

  it('says why a model does not fit', () => {
    const { deps } = world()
    expect(misfit(cheap, chat({ vision: true }), deps)).toBe('no vision')
    expect(misfit({ provider: 'x', model: 'y' }, chat({ tools: true }), deps)).toBeUndefined()
    expect(misfit(cheap, chat({ inputTokens: 200_000 }), deps)).toBe('context window too small')
  })

  it('weighs input and output prices by the call: a long prompt with a short answer', () => {
    const { deps } = world()
    const inputHeavy: AiCandidate = { provider: 'a', model: 'in' }
    const outputHeavy: AiCandidate = { provider: 'b', model: 'out' }
    const priced: StrategyDeps = {
      ...deps,
      costOf: (c, n) =>
        c.provider === 'a'
          ? (n.inputTokens * 2 + n.outputTokens * 1) / 1e6
          : (n.inputTokens * 1 + n.outputTokens * 8) / 1e6,
    }
    expect(
      names(
        orderByStrategy(
          { strategy: 'cost' },
          [inputHeavy, outputHeavy],
          chat({ inputTokens: 10_000, outputTokens: 100 }),
          priced,
        ),
      ),
    ).toEqual(['b', 'a'])
    expect(
      names(
        orderByStrategy(
          { strategy: 'cost' },
          [inputHeavy, outputHeavy],
          chat({ inputTokens: 100, outputTokens: 10_000 }),
          priced,
        ),
      ),
    ).toEqual(['a', 'b'])
  })
})

describe('latency', () => {
  const strategy = {
    strategy: 'latency' as const,
    latency: { explorationRate: 0, probeAfterSeconds: 30, windowSeconds: 60 },
  }

  it('explores candidates without samples, then orders by live p50', () => {
    const w = world()
    // Nothing known: each is explored once (silent longest first), not all at once.
    expect(names(orderByStrategy(strategy, [mid, dear], chat(), w.deps))[0]).toBe('openai')
    expect(names(orderByStrategy(strategy, [mid, dear], chat(), w.deps))[0]).toBe('anthropic')
    for (const ms of [300, 320, 310]) w.latency.observe('openai', 'gpt-4.1-mini', ms)
    for (const ms of [120, 900, 110]) w.latency.observe('anthropic', 'claude-sonnet-4', ms)
    expect(w.latency.p50('anthropic', 'claude-sonnet-4', 60_000)).toBe(120)
    expect(names(orderByStrategy(strategy, [mid, dear], chat(), w.deps))).toEqual(['anthropic', 'openai'])
  })

  it('puts an unhealthy candidate last even when it is fastest', () => {
    const w = world({ down: [dear] })
    w.latency.observe('openai', 'gpt-4.1-mini', 300)
    w.latency.observe('anthropic', 'claude-sonnet-4', 50)
    expect(names(orderByStrategy(strategy, [dear, mid], chat(), w.deps))).toEqual(['openai', 'anthropic'])
  })

  it('tries a recovered provider again: probe after silence, then its new p50 wins', () => {
    const w = world()
    w.latency.observe('openai', 'gpt-4.1-mini', 200)
    w.latency.observe('anthropic', 'claude-sonnet-4', 100)
    // Anthropic fails: its breaker opens, OpenAI serves every request for a while.
    w.setDown([dear])
    for (let i = 0; i < 10; i++) {
      w.advance(10_000)
      expect(orderByStrategy(strategy, [dear, mid], chat(), w.deps)[0]).toBe(mid)
      w.latency.observe('openai', 'gpt-4.1-mini', 200)
    }
    // Its breaker is ready to probe again: healthy, silent for 100 s → explored first once.
    w.setDown([])
    expect(orderByStrategy(strategy, [mid, dear], chat(), w.deps)[0]).toBe(dear)
    // The probe is in flight: the next request goes to the fastest known.
    expect(orderByStrategy(strategy, [mid, dear], chat(), w.deps)[0]).toBe(mid)
    w.latency.observe('anthropic', 'claude-sonnet-4', 90)
    // The old samples left the window: its fresh p50 (90 ms) beats OpenAI's 200.
    expect(orderByStrategy(strategy, [mid, dear], chat(), w.deps)[0]).toBe(dear)
  })

  it('explores a random healthy candidate at the exploration rate', () => {
    const w = world({ random: [0.01, 0.99, 0.5, 0.5] })
    w.latency.observe('openai', 'gpt-4.1-mini', 100)
    w.latency.observe('anthropic', 'claude-sonnet-4', 500)
    const explore = { strategy: 'latency' as const, latency: { explorationRate: 0.1 } }
    // 0.01 < 0.1 → explore; 0.99 picks the last of the healthy: anthropic.
    expect(orderByStrategy(explore, [mid, dear], chat(), w.deps)[0]).toBe(dear)
    // 0.5 ≥ 0.1 → no exploration: the fastest.
    expect(orderByStrategy(explore, [mid, dear], chat(), w.deps)[0]).toBe(mid)
    expect(orderByStrategy(explore, [mid], chat(), w.deps)).toEqual([mid])
  })

  it('keeps a bounded, windowed series', () => {
    const w = world()
    for (let i = 0; i < 300; i++) w.latency.observe('a', 'm', i)
    expect(w.latency.p50('a', 'm', 1000)).toBe(171.5)
    w.latency.observe('a', 'm', Number.NaN)
    w.advance(2000)
    expect(w.latency.p50('a', 'm', 1000)).toBeUndefined()
    expect(w.latency.p50('b', 'm', 1000)).toBeUndefined()
    expect(w.latency.lastSampleAt('b', 'm')).toBeUndefined()
  })
})

function scripted(values: number[]) {
  const queue = [...values]
  return () => queue.shift() ?? 0.5
}
