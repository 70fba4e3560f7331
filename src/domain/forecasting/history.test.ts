import { describe, expect, it } from 'vitest'
import { buildHistory } from './history.ts'

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000)

describe('buildHistory', () => {
  it('builds per-area series and reconstructs the overall after each event', () => {
    const { areas, overall } = buildHistory([
      { at: day(10), area: 'sales', score: 4 },
      { at: day(0), area: 'strategy', score: 2 },
      { at: day(0), area: 'process', score: 3 },
    ])
    expect(areas.strategy).toEqual([{ at: day(0), score: 2 }])
    expect(overall).toEqual([
      { at: day(0), score: 2.5 },
      { at: day(10), score: 3 },
    ])
  })
})
