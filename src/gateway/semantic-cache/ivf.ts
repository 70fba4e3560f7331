/**
 * A small inverted-file (IVF-flat) nearest-neighbour index over unit vectors, similarity = dot
 * product (cosine). Below `trainAt` live vectors a search scans them all (exact). From there,
 * k-means (k-means++ seeding from a seeded generator, a few Lloyd rounds on a sample) splits the
 * space into √n lists; a vector joins its nearest list, and a search scans the `probes` lists whose
 * centres are nearest the query. A cache hit needs a neighbour above a high threshold (≥ 0.9): such
 * a neighbour sits in the query's own or next lists, so a few probes find it. The lists are trained
 * again when the index has grown `retrainGrowth` times since (a pause proportional to its size:
 * docs/BENCHMARKS.md). Removal is by tombstone; a retrain drops them.
 *
 * Chosen over HNSW after measuring both here: at 256 dimensions a JS HNSW took ~18 s to build 20,000
 * vectors (IVF: well under a second) for the same lookup times.
 */

export type IvfOptions = {
  dimensions: number
  /** Live vectors below which a search is an exact scan (no lists). */
  trainAt?: number
  /** Lists scanned per search. */
  probes?: number
  /** Train again when live vectors reach this multiple of the count at the last training. */
  retrainGrowth?: number
  seed?: number
}

export type Neighbour = { id: number; similarity: number }

export type IvfIndex = {
  readonly dimensions: number
  /** Live (not removed) vectors. */
  readonly size: number
  /** Lists in use (0 while exact). */
  readonly lists: number
  add(id: number, vector: Float32Array): void
  remove(id: number): boolean
  has(id: number): boolean
  /** Add many, then train once (a start-up load). */
  addMany(entries: Iterable<{ id: number; vector: Float32Array }>): void
  /** The size of each list (tests, benchmarks). */
  listSizes(): number[]
  /** The `k` most similar live vectors, most similar first. */
  search(query: Float32Array, k: number): Neighbour[]
}

/** Scale to unit length (a zero vector stays zero). */
export function normalize(vector: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(vector)
  let norm = 0
  for (let i = 0; i < out.length; i++) norm += (out[i] as number) ** 2
  norm = Math.sqrt(norm)
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / norm
  return out
}

/** Dot product, four lanes (V8 keeps them in registers). */
export function dot(a: Float32Array, b: Float32Array): number {
  const n = a.length
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let i = 0
  for (; i + 3 < n; i += 4) {
    s0 += (a[i] as number) * (b[i] as number)
    s1 += (a[i + 1] as number) * (b[i + 1] as number)
    s2 += (a[i + 2] as number) * (b[i + 2] as number)
    s3 += (a[i + 3] as number) * (b[i + 3] as number)
  }
  for (; i < n; i++) s0 += (a[i] as number) * (b[i] as number)
  return s0 + s1 + s2 + s3
}

/** A deterministic generator in [0, 1) (mulberry32). */
function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The best `k` of a stream of (similarity, value), kept sorted, most similar first. */
function topK(k: number) {
  const sims: number[] = []
  const values: number[] = []
  return {
    offer(similarity: number, value: number) {
      if (sims.length === k && similarity <= (sims[k - 1] as number)) return
      let i = sims.length
      if (i === k) i -= 1
      else {
        sims.push(0)
        values.push(0)
      }
      while (i > 0 && (sims[i - 1] as number) < similarity) {
        sims[i] = sims[i - 1] as number
        values[i] = values[i - 1] as number
        i -= 1
      }
      sims[i] = similarity
      values[i] = value
    },
    sims,
    values,
  }
}

export function createIvfIndex(options: IvfOptions): IvfIndex {
  const dims = options.dimensions
  const trainAt = options.trainAt ?? 2048
  const probes = options.probes ?? 8
  const growth = options.retrainGrowth ?? 2
  const rand = random(options.seed ?? 42)

  const vectors: Float32Array[] = []
  const ids: number[] = []
  const removed: boolean[] = []
  const nodeOf = new Map<number, number>()
  let live = 0
  let centroids: Float32Array[] = []
  let members: number[][] = []
  // Each list's vectors side by side in one array (a search reads them in order, not scattered).
  let packed: Float32Array[] = []

  /** Put a node in a list: its number, and its vector at the end of the list's packed array. */
  function join(list: number, node: number, vector: Float32Array) {
    const nodes = members[list] as number[]
    let data = packed[list] as Float32Array
    if ((nodes.length + 1) * dims > data.length) {
      const grown = new Float32Array(Math.max(dims * 16, data.length * 2))
      grown.set(data)
      data = grown
      packed[list] = data
    }
    data.set(vector, nodes.length * dims)
    nodes.push(node)
  }
  let trainedAt = 0

  function nearestCentroid(vector: Float32Array): number {
    let best = 0
    let bestSim = -Infinity
    for (let c = 0; c < centroids.length; c++) {
      const sim = dot(vector, centroids[c] as Float32Array)
      if (sim > bestSim) {
        bestSim = sim
        best = c
      }
    }
    return best
  }

  /** k-means on a sample of the live vectors, then every live vector into its list; tombstones dropped. */
  function train() {
    const alive: number[] = []
    for (let node = 0; node < vectors.length; node++) if (!removed[node]) alive.push(node)
    const k = Math.max(1, Math.min(1024, Math.round(Math.sqrt(alive.length))))
    const sampleSize = Math.min(alive.length, k * 24)
    const sample: Float32Array[] = []
    for (let i = 0; i < sampleSize; i++) {
      // Evenly spread over the live vectors (ids arrive in time order; topics drift).
      sample.push(vectors[alive[Math.floor((i * alive.length) / sampleSize)] as number] as Float32Array)
    }
    // Centres drawn from the sample (so as dense as the data: lists of even size), then Lloyd rounds.
    const order = sample.map((_, i) => i)
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1))
      ;[order[i], order[j]] = [order[j] as number, order[i] as number]
    }
    centroids = order.slice(0, k).map((i) => Float32Array.from(sample[i] as Float32Array))
    for (let round = 0; round < 8; round++) {
      const sums = centroids.map(() => new Float64Array(dims))
      const counts = new Array<number>(centroids.length).fill(0)
      for (const v of sample) {
        const c = nearestCentroid(v)
        const sum = sums[c] as Float64Array
        for (let j = 0; j < dims; j++) sum[j] = (sum[j] as number) + (v[j] as number)
        counts[c] = (counts[c] as number) + 1
      }
      // Centres move to their members' mean direction; an empty one restarts at a random sample vector.
      centroids = centroids.map((_, c) =>
        (counts[c] as number) > 0
          ? normalize(sums[c] as Float64Array)
          : Float32Array.from(sample[Math.floor(rand() * sample.length)] as Float32Array),
      )
    }
    members = centroids.map(() => [])
    packed = centroids.map(() => new Float32Array(dims * 16))
    const keptVectors: Float32Array[] = []
    const keptIds: number[] = []
    nodeOf.clear()
    for (const node of alive) {
      const fresh = keptVectors.length
      keptVectors.push(vectors[node] as Float32Array)
      keptIds.push(ids[node] as number)
      nodeOf.set(ids[node] as number, fresh)
      join(nearestCentroid(vectors[node] as Float32Array), fresh, vectors[node] as Float32Array)
    }
    vectors.length = 0
    vectors.push(...keptVectors)
    ids.length = 0
    ids.push(...keptIds)
    removed.length = 0
    for (let i = 0; i < vectors.length; i++) removed.push(false)
    trainedAt = live
  }

  /** Append one vector; whether it was new. */
  function append(id: number, vector: Float32Array): boolean {
    if (vector.length !== dims) throw new Error(`expected ${dims} dimensions, got ${vector.length}`)
    if (nodeOf.has(id)) return false
    const node = vectors.length
    vectors.push(vector)
    ids.push(id)
    removed.push(false)
    nodeOf.set(id, node)
    live += 1
    return true
  }

  const due = () => live >= trainAt && (centroids.length === 0 || live >= trainedAt * growth)

  function add(id: number, vector: Float32Array) {
    if (!append(id, vector)) return
    if (due()) train()
    else if (centroids.length > 0) join(nearestCentroid(vector), nodeOf.get(id) as number, vector)
  }

  function addMany(entries: Iterable<{ id: number; vector: Float32Array }>) {
    const fresh: number[] = []
    for (const { id, vector } of entries) if (append(id, vector)) fresh.push(nodeOf.get(id) as number)
    if (due()) train()
    else if (centroids.length > 0)
      for (const node of fresh) {
        const vector = vectors[node] as Float32Array
        join(nearestCentroid(vector), node, vector)
      }
  }

  function search(query: Float32Array, k: number): Neighbour[] {
    if (query.length !== dims) throw new Error(`expected ${dims} dimensions, got ${query.length}`)
    if (live === 0 || k <= 0) return []
    const best = topK(k)
    if (centroids.length === 0) {
      for (let node = 0; node < vectors.length; node++)
        if (!removed[node]) best.offer(dot(query, vectors[node] as Float32Array), node)
    } else {
      const lists = topK(Math.min(probes, centroids.length))
      for (let c = 0; c < centroids.length; c++) lists.offer(dot(query, centroids[c] as Float32Array), c)
      for (const c of lists.values) {
        const nodes = members[c] as number[]
        const data = packed[c] as Float32Array
        for (let k = 0; k < nodes.length; k++) {
          const node = nodes[k] as number
          if (removed[node]) continue
          const base = k * dims
          let sum = 0
          for (let j = 0; j < dims; j++) sum += (query[j] as number) * (data[base + j] as number)
          best.offer(sum, node)
        }
      }
    }
    return best.values.map((node, i) => ({ id: ids[node] as number, similarity: best.sims[i] as number }))
  }

  return {
    dimensions: dims,
    get size() {
      return live
    },
    get lists() {
      return centroids.length
    },
    add,
    addMany,
    remove(id) {
      const node = nodeOf.get(id)
      if (node === undefined || removed[node]) return false
      removed[node] = true
      nodeOf.delete(id)
      live -= 1
      return true
    },
    has: (id) => nodeOf.has(id),
    search,
    listSizes: () => members.map((m) => m.length),
  }
}
