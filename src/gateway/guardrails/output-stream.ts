import { bannedPattern, checkOutput, type OutputFinding, type OutputPolicy } from './output.ts'

/**
 * Output checks on a streamed answer, as it streams. Banned terms are searched in the text and in
 * tool-call arguments; length and schema apply to the text. Flag: the pieces pass as they come and the
 * whole text is checked at the end. Block: a piece is held back until the text after it is as long
 * as the longest banned term (a term split across pieces is still caught), and the stream stops at
 * the first banned term or the first character over `maxChars`: what is held is dropped, so the
 * refused text never reaches the reader, and `refuse` (thrown) ends the stream. The last piece is
 * always held until the end, where the JSON schema is checked, so a refused answer never ends as
 * a whole one (`[DONE]`, `message_stop`, `response.completed`).
 */
export type StreamCheck = {
  value: AsyncIterable<string>
  /** What fired, once the stream ended (run to its end, refused, or left by its reader). */
  findings: Promise<{ findings: OutputFinding[]; blocked: boolean }>
}

export function checkStream(
  source: AsyncIterable<string>,
  policy: OutputPolicy & { action: 'block' | 'flag' },
  /** The answer text a piece adds. */
  textOf: (piece: string) => string,
  /** The error a refused stream ends with. */
  refuse: (finding: OutputFinding) => Error,
  /** The tool-call arguments a piece adds: searched for banned terms like the text, not counted in its length. */
  toolTextOf: (piece: string) => string = () => '',
): StreamCheck {
  let resolve!: (result: { findings: OutputFinding[]; blocked: boolean }) => void
  const findings = new Promise<{ findings: OutputFinding[]; blocked: boolean }>((r) => (resolve = r))
  if (policy.action === 'flag') {
    const value = (async function* () {
      let text = ''
      let tools = ''
      let ended = false
      try {
        for await (const piece of source) {
          text += textOf(piece)
          tools += toolTextOf(piece)
          yield piece
        }
        ended = true
      } finally {
        resolve({ findings: ended ? checkOutput(text, policy, tools) : [], blocked: false })
      }
    })()
    return { value, findings }
  }

  const terms = (policy.bannedTerms ?? []).map((t) => t.trim()).filter(Boolean)
  const pattern = bannedPattern(terms)
  // A banned term may still be forming in the last `tail` characters.
  const tail = terms.reduce((n, t) => Math.max(n, t.length), 0)
  let text = ''
  // What banned terms are searched in: the text and the tool-call arguments as they arrive, a line
  // break where one gives way to the other (a term never spans the two).
  let scan = ''
  /** Where each run of text or of arguments starts in `scan`, in order. */
  const runs: Array<{ start: number; tools: boolean }> = []
  const append = (added: string, tools: boolean) => {
    if (!added) return
    const last = runs.at(-1)
    if (last?.tools !== tools) {
      if (last) scan += '\n'
      runs.push({ start: scan.length, tools })
    }
    scan += added
  }
  const inTools = (at: number) => runs.findLast((run) => run.start <= at)?.tools === true
  let scanned = 0
  /** The first banned term in the new text; at `final`, one ending at the very end counts too. */
  const banned = (final: boolean): OutputFinding | undefined => {
    if (!pattern) return undefined
    pattern.lastIndex = Math.max(0, scanned - tail)
    const match = pattern.exec(scan)
    pattern.lastIndex = 0
    // A match that reaches the end may be the start of a longer word: wait for the next piece.
    if (match && (final || match.index + match[0].length < scan.length))
      return {
        rule: 'banned_terms',
        detail: `contains ${match[0].toLowerCase()}${inTools(match.index) ? ' (in tool-call arguments)' : ''}`,
      }
    scanned = match ? match.index : scan.length
    return undefined
  }
  const tooLong = (): OutputFinding | undefined =>
    policy.maxChars !== undefined && text.length > policy.maxChars
      ? { rule: 'max_chars', detail: `more than ${policy.maxChars} characters` }
      : undefined

  const value = (async function* () {
    const held: Array<{ piece: string; end: number }> = []
    let found: OutputFinding | undefined
    try {
      for await (const piece of source) {
        const added = textOf(piece)
        text += added
        append(added, false)
        append(toolTextOf(piece), true)
        held.push({ piece, end: scan.length })
        found = banned(false) ?? tooLong()
        if (found) throw refuse(found)
        while (held.length > 1 && (held[0] as { end: number }).end <= scan.length - tail)
          yield (held.shift() as { piece: string }).piece
      }
      found =
        banned(true) ??
        (policy.jsonSchema ? checkOutput(text, { jsonSchema: policy.jsonSchema }).find(Boolean) : undefined)
      if (found) throw refuse(found)
      for (const { piece } of held.splice(0)) yield piece
    } finally {
      resolve({ findings: found ? [found] : [], blocked: found !== undefined })
    }
  })()
  return { value, findings }
}
