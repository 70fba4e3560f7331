import { describe, expect, it } from 'vitest'
import { DEFAULT_BENCHMARK, selectBenchmarks, type PeerStats } from './benchmarks.ts'

const stat = (scope: 'industry' | 'global', peers: number, average: number): PeerStats => ({
  scope,
  area: 'overall',
  peers,
  average,
  p25: average - 0.5,
  median: average,
  p75: average + 0.5,
  userScore: 3,
  percentile: 42.123,
})

describe('selectBenchmarks', () => {
  it('prefers the industry when it has enough peers', () => {
    const [b] = selectBenchmarks([stat('industry', 6, 3.3), stat('global', 50, 2.9)], ['overall'], { overall: 3 }, 5)
    expect(b).toMatchObject({ source: 'industry', peers: 6, average: 3.3, percentile: 42.1, userScore: 3 })
  })
  it('falls back to all businesses, then to the documented default', () => {
    expect(selectBenchmarks([stat('industry', 2, 3.3), stat('global', 50, 2.9)], ['overall'], {}, 5)[0]).toMatchObject({
      source: 'global',
      average: 2.9,
      userScore: null,
    })
    expect(selectBenchmarks([stat('global', 3, 2.9)], ['overall'], {}, 5)[0]).toMatchObject({
      source: 'default',
      ...DEFAULT_BENCHMARK,
      peers: 3,
      percentile: null,
    })
    expect(selectBenchmarks([], ['strategy'], {}, 5)[0]).toMatchObject({ source: 'default', peers: 0 })
  })
})
