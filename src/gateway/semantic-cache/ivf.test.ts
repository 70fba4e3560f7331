import { describe, expect, it } from 'vitest'
import { createIvfIndex, dot, normalize } from './ivf.ts'

/** Deterministic unit vectors: sparse sums of "word" vectors, as prompts share words. */
function dataset(count: number, dims: number, seed = 1) {
  let s = seed
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s / 2147483648
  }
  const words = Array.from({ length: 200 }, () => normalize(Array.from({ length: dims }, () => next() - 0.5)))
  return Array.from({ length: count }, () => {
    const v = new Float32Array(dims)
    for (let w = 0; w < 6; w++) {
      const word = words[Math.floor(next() * words.length)] as Float32Array
      for (let j = 0; j < dims; j++) v[j] = (v[j] as number) + (word[j] as number)
    }
    return normalize(v)
  })
}

const exactNearest = (vectors: Float32Array[], query: Float32Array, skip = new Set<number>()) => {
  let best = -1
  let bestSim = -Infinity
  vectors.forEach((v, i) => {
    if (skip.has(i)) return
    const sim = dot(v, query)
    if (sim > bestSim) {
      bestSim = sim
      best = i
    }
  })
  return best
}

describe('IVF index', () => {
  it('finds near duplicates every time, and the true nearest for most other queries', async () => {
    const vectors = dataset(6000, 32)
    const index = createIvfIndex({ dimensions: 32, trainAt: 1000 })
    vectors.forEach((v, i) => index.add(i, v))
    await index.trained()
    expect(index.size).toBe(6000)
    expect(index.lists).toBeGreaterThan(20)
    expect(index.listSizes().reduce((a, b) => a + b, 0)).toBe(6000)
    let near = 0
    for (let q = 0; q < 200; q++) {
      const target = vectors[q * 29] as Float32Array
      const query = normalize(Array.from(target, (x, j) => x + (j % 7 === 0 ? 0.02 : 0)))
      // The target, or a vector at least as similar (prompts can repeat).
      if ((index.search(query, 1)[0]?.similarity ?? -1) >= dot(query, target) - 1e-6) near += 1
    }
    expect(near).toBe(200)
    // A query far from everything may have its nearest in a list not probed; a cache needs only
    // neighbours above a high threshold (found above). Plain recall@1 stays above 60 %.
    let random = 0
    for (const q of dataset(300, 32, 77)) if (index.search(q, 1)[0]?.id === exactNearest(vectors, q)) random += 1
    expect(random / 300).toBeGreaterThan(0.6)
  })

  it('returns k results most similar first, skips removed ones, and drops them when it trains again', async () => {
    const vectors = dataset(3000, 16)
    const index = createIvfIndex({ dimensions: 16, trainAt: 500, retrainGrowth: 2 })
    index.addMany(vectors.slice(0, 1000).map((vector, id) => ({ id, vector })))
    await index.trained()
    expect(index.lists).toBeGreaterThan(0)
    const results = index.search(vectors[7] as Float32Array, 5)
    expect(results).toHaveLength(5)
    expect(results[0]).toEqual({ id: 7, similarity: expect.closeTo(1, 5) })
    for (let i = 1; i < 5; i++) expect(results[i]!.similarity).toBeLessThanOrEqual(results[i - 1]!.similarity)
    expect(index.remove(7)).toBe(true)
    expect(index.remove(7)).toBe(false)
    expect(index.has(7)).toBe(false)
    expect(index.search(vectors[7] as Float32Array, 5).some((r) => r.id === 7)).toBe(false)
    // Growing past twice the trained size trains again (tombstones dropped), then adds join lists.
    vectors.slice(1000).forEach((v, i) => index.add(1000 + i, v))
    await index.trained()
    expect(index.size).toBe(2999)
    expect(index.listSizes().reduce((a, b) => a + b, 0)).toBe(2999)
    expect(index.search(vectors[2500] as Float32Array, 1)[0]?.id).toBe(2500)
  })

  it('trains in the background: the event loop turns meanwhile, and searches answer from what is there', async () => {
    const vectors = dataset(12000, 32, 5)
    const index = createIvfIndex({ dimensions: 32, trainAt: 1000 })
    let turns = 0
    const ticker = setInterval(() => (turns += 1), 0)
    index.addMany(vectors.slice(0, 6000).map((vector, id) => ({ id, vector })))
    // Not trained yet: an exact scan answers.
    expect(index.lists).toBe(0)
    expect(index.search(vectors[42] as Float32Array, 1)[0]).toEqual({ id: 42, similarity: expect.closeTo(1, 5) })
    await index.trained()
    const first = index.lists
    expect(first).toBeGreaterThan(50)
    expect(turns).toBeGreaterThan(0)
    // Doubling starts a retrain; the old lists serve meanwhile, new vectors in them at once.
    index.addMany(vectors.slice(6000).map((vector, id) => ({ id: 6000 + id, vector })))
    expect(index.lists).toBe(first)
    // (This dataset repeats some prompts: the vector itself, or one identical.)
    expect(index.search(vectors[10000] as Float32Array, 1)[0]?.similarity).toBeCloseTo(1, 5)
    await index.trained()
    clearInterval(ticker)
    expect(index.lists).toBeGreaterThan(first)
    expect(index.listSizes().reduce((a, b) => a + b, 0)).toBe(12000)
    expect(index.search(vectors[10000] as Float32Array, 1)[0]?.similarity).toBeCloseTo(1, 5)
  })

  it('scans exactly while small and refuses a wrong size', () => {
    const vectors = dataset(100, 8)
    const index = createIvfIndex({ dimensions: 8 })
    vectors.forEach((v, i) => index.add(i, v))
    index.add(5, vectors[6] as Float32Array) // an id already present is ignored
    expect(index.lists).toBe(0)
    for (const q of vectors.slice(0, 20)) expect(index.search(q, 1)[0]?.id).toBe(exactNearest(vectors, q))
    expect(() => index.add(1000, new Float32Array(3))).toThrow(/8 dimensions/)
    expect(() => index.search(new Float32Array(3), 1)).toThrow(/8 dimensions/)
    expect(createIvfIndex({ dimensions: 8 }).search(vectors[0] as Float32Array, 1)).toEqual([])
    expect(index.search(vectors[0] as Float32Array, 0)).toEqual([])
    expect(Array.from(normalize([3, 4]))).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)])
    expect(Array.from(normalize([0, 0]))).toEqual([0, 0])
    expect(dot(Float32Array.from([1, 2, 3, 4, 5]), Float32Array.from([1, 1, 1, 1, 1]))).toBe(15)
  })
})
