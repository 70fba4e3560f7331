/**
 * The rules fallbacks' shared vocabulary. The engine itself is pure domain logic in
 * `src/domain/advice/` (standing, plan, words); the feature records call it from here.
 */
export { actionsFor, industryFocus } from '../../domain/advice/engine.ts'
export { areaLabel as label, formatScore as fmt, levelWords } from '../../domain/advice/words.ts'
