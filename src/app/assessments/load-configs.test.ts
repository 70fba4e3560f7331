import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AssessmentConfigError,
  parseAssessmentConfig,
  questionCounts,
} from '../../domain/assessments/assessment-configs.ts'
import { loadAssessmentCatalogue } from './load-configs.ts'

const FIXTURES = new URL('../../../test/fixtures/assessments/', import.meta.url).pathname
const temps: string[] = []
async function folderWith(files: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'oq-configs-'))
  temps.push(dir)
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  return dir
}
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('loadAssessmentCatalogue', () => {
  it('loads and validates every config in a folder', async () => {
    const catalogue = await loadAssessmentCatalogue(FIXTURES)
    expect(catalogue.configs.map((c) => c.type)).toEqual(['bpm', 'sales'])
    expect(catalogue.missing).toHaveLength(9)
    expect(catalogue.missing).not.toContain('sales')
    expect(catalogue.get('sales')?.title).toBe('Sales (fixture)')
    expect(catalogue.get('leadership')).toBeUndefined()
    expect(catalogue.get('nonsense')).toBeUndefined()
    expect(catalogue.questionSet('sales', 'score_5')?.groups).toHaveLength(2)
    expect(questionCounts(catalogue.get('bpm')!).score_4_5).toBe(2)
  })

  it('fails naming the file and every path at fault', async () => {
    const config = JSON.parse(await readFile(join(FIXTURES, 'sales.json'), 'utf8'))
    config.brackets.score_3.groups[0].questions[0].options[1].score = 9
    delete config.brackets.score_5
    const dir = await folderWith({ 'sales.json': JSON.stringify(config) })
    const error = await loadAssessmentCatalogue(dir).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AssessmentConfigError)
    const message = (error as Error).message
    expect(message).toContain(join(dir, 'sales.json'))
    expect(message).toContain('brackets.score_3.groups.0.questions.0.options.1.score')
    expect(message).toContain('brackets.score_5')
  })

  it('fails on invalid JSON, a file named after no assessment, a type that does not match its file, and a missing folder', async () => {
    await expect(loadAssessmentCatalogue(await folderWith({ 'sales.json': '{ nope' }))).rejects.toThrow(
      /sales\.json:\n {2}- not valid JSON/,
    )
    await expect(loadAssessmentCatalogue(await folderWith({ 'astrology.json': '{}' }))).rejects.toThrow(
      /"astrology" is not an assessment type/,
    )
    const sales = await readFile(join(FIXTURES, 'sales.json'), 'utf8')
    await expect(loadAssessmentCatalogue(await folderWith({ 'leadership.json': sales }))).rejects.toThrow(
      /is "sales" but the file is named leadership\.json/,
    )
    await expect(loadAssessmentCatalogue('/nonexistent/oq-configs')).rejects.toThrow(
      /cannot read the assessment config folder/,
    )
    expect(() => parseAssessmentConfig('x.json', '[]')).toThrow(/\(root\)/)
  })
})
