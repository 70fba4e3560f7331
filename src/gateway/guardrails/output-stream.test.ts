import { describe, expect, it } from 'vitest'
import { checkStream } from './output-stream.ts'

async function* from(pieces: string[]) {
  for (const piece of pieces) yield piece
}

/** What the reader received and how the stream ended. */
async function read(stream: AsyncIterable<string>) {
  const got: string[] = []
  try {
    for await (const piece of stream) got.push(piece)
    return { got, error: undefined }
  } catch (error) {
    return { got, error: (error as Error).message }
  }
}

const refuse = (f: { rule: string; detail: string }) => new Error(`${f.rule}: ${f.detail}`)
const identity = (piece: string) => piece

describe('checkStream', () => {
  it('stops before a banned term split across pieces reaches the reader', async () => {
    let cancelled = false
    const source = (async function* () {
      try {
        yield* from(['Our ', 'next gr', 'owth', ' plan ', 'is ', 'long'])
      } finally {
        cancelled = true
      }
    })()
    const checked = checkStream(source, { bannedTerms: ['growth plan'], action: 'block' }, identity, refuse)
    const { got, error } = await read(checked.value)
    expect(got.join('')).toBe('Our ')
    expect(got.join('')).not.toMatch(/gr/)
    expect(error).toBe('banned_terms: contains growth plan')
    expect(cancelled).toBe(true)
    expect(await checked.findings).toEqual({
      findings: [{ rule: 'banned_terms', detail: 'contains growth plan' }],
      blocked: true,
    })
  })

  it('waits for the next piece before judging a term at the end (a longer word is not the term)', async () => {
    const checked = checkStream(
      from(['the ', 'grow', 'th', 'ing ', 'team']),
      { bannedTerms: ['growth'], action: 'block' },
      identity,
      refuse,
    )
    const { got, error } = await read(checked.value)
    expect(error).toBeUndefined()
    expect(got.join('')).toBe('the growthing team')
    expect((await checked.findings).findings).toEqual([])
  })

  it('catches a term that ends the stream, and holds the last piece for the end checks', async () => {
    const checked = checkStream(
      from(['a ', 'b ', 'Growth']),
      { bannedTerms: ['growth'], action: 'block' },
      identity,
      refuse,
    )
    const { got, error } = await read(checked.value)
    expect(got).toEqual(['a ', 'b '])
    expect(error).toBe('banned_terms: contains growth')
    const schema = checkStream(
      from(['{"a":', '1}', '[END]']),
      { jsonSchema: { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] }, action: 'block' },
      (p) => (p === '[END]' ? '' : p),
      refuse,
    )
    const ended = await read(schema.value)
    expect(ended.got).toEqual(['{"a":', '1}'])
    expect(ended.error).toMatch(/^json_schema: /)
  })

  it('reads the text of wire events and stops at the first character over maxChars', async () => {
    const events = ['<5>', '<4>', '<3>'].map((p) => `data: ${p}\n\n`)
    const lengths: Record<string, number> = { '<5>': 5, '<4>': 4, '<3>': 3 }
    const textOf = (piece: string) => 'x'.repeat(lengths[/<\d>/.exec(piece)?.[0] ?? ''] ?? 0)
    const checked = checkStream(from(events), { maxChars: 10, action: 'block' }, textOf, refuse)
    const { got, error } = await read(checked.value)
    expect(got).toEqual([events[0]])
    expect(error).toBe('max_chars: more than 10 characters')
  })

  it('flags without holding anything back, judging the whole text at its end', async () => {
    const checked = checkStream(
      from(['growth ', 'is ', 'long']),
      { bannedTerms: ['growth'], maxChars: 3, action: 'flag' },
      identity,
      refuse,
    )
    const { got, error } = await read(checked.value)
    expect(error).toBeUndefined()
    expect(got.join('')).toBe('growth is long')
    expect((await checked.findings).findings.map((f) => f.rule).sort()).toEqual(['banned_terms', 'max_chars'])
  })

  it('searches tool-call arguments for banned terms as they stream, without counting them as text', async () => {
    // Pieces tagged T (text) or A (tool-call arguments), as an SSE relay's events would be.
    const pieces = ['T:Calling ', 'A:{"topic":"auto', 'A:mation gro', 'A:wth"}', 'T:done']
    const textOf = (piece: string) => (piece.startsWith('T:') ? piece.slice(2) : '')
    const argsOf = (piece: string) => (piece.startsWith('A:') ? piece.slice(2) : '')
    const blocked = checkStream(
      from(pieces),
      { bannedTerms: ['automation growth'], maxChars: 12, action: 'block' },
      textOf,
      refuse,
      argsOf,
    )
    const { got, error } = await read(blocked.value)
    expect(error).toBe('banned_terms: contains automation growth (in tool-call arguments)')
    // Nothing of the term reached the reader.
    expect(got.join('')).not.toMatch(/auto/)
    // A term never spans text and arguments; the arguments do not count towards maxChars (12).
    const clean = checkStream(
      from(['T:ends with auto', 'A:{"a":"mation growth is fine"}']),
      { bannedTerms: ['automation'], maxChars: 16, action: 'block' },
      textOf,
      refuse,
      argsOf,
    )
    expect((await read(clean.value)).error).toBeUndefined()
    // Flag: judged at the end, the arguments included.
    const flagged = checkStream(
      from(pieces),
      { bannedTerms: ['automation growth'], action: 'flag' },
      textOf,
      refuse,
      argsOf,
    )
    expect((await read(flagged.value)).error).toBeUndefined()
    expect((await flagged.findings).findings).toEqual([
      { rule: 'banned_terms', detail: 'contains automation growth (in tool-call arguments)' },
    ])
  })
})
