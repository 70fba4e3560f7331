import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  AssessmentConfigError,
  createCatalogue,
  parseAssessmentConfig,
  type AssessmentCatalogue,
} from '../../domain/assessments/assessment-configs.ts'
import type { AssessmentConfig } from '../../domain/assessments/config-schema.ts'
import { DEEP_ASSESSMENT_TYPES, isDeepAssessmentType } from '../../domain/assessments/types.ts'

/** Where the real question content lives: one `<type>.json` per deep assessment. */
export const DEFAULT_CONFIG_DIR = fileURLToPath(new URL('../../domain/assessments/configs/', import.meta.url))

/**
 * Load every `*.json` in `dir` and validate it against the schema. Fails (start-up) on the first
 * bad file with an `AssessmentConfigError` naming the file and each path at fault, on a file
 * that is not a deep assessment type, and when the folder does not exist. Configs that are
 * missing from the folder are listed in `missing`; the routes treat them as unknown.
 */
export async function loadAssessmentCatalogue(dir: string = DEFAULT_CONFIG_DIR): Promise<AssessmentCatalogue> {
  let files: string[]
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()
  } catch (error) {
    throw new AssessmentConfigError(dir, [`cannot read the assessment config folder: ${(error as Error).message}`])
  }
  const configs: AssessmentConfig[] = []
  for (const file of files) {
    const path = join(dir, file)
    const type = file.replace(/\.json$/, '')
    if (!isDeepAssessmentType(type))
      throw new AssessmentConfigError(path, [
        `"${type}" is not an assessment type (expected one of ${DEEP_ASSESSMENT_TYPES.join(', ')})`,
      ])
    configs.push(parseAssessmentConfig(path, await readFile(path, 'utf8')))
  }
  return createCatalogue(configs)
}
