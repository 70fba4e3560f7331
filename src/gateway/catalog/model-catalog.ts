import { z } from 'zod'
import { AI_PROVIDERS, type ProviderName as AiProviderName } from '../provider-names.ts'
import type { AiUsage, ModelInfo } from '../types.ts'
import builtIn from './models.json' with { type: 'json' }

/**
 * The model catalog: every model we know, its provider(s), the seed's alias names, context
 * window, capabilities and list prices. Data lives in `models.json`, validated at load.
 */

/** `embeddings`: an embedding model (`/v1/embeddings`), which chat never routes to. */
export const CAPABILITIES = ['json_schema', 'tools', 'vision', 'audio', 'streaming', 'embeddings'] as const
export type Capability = (typeof CAPABILITIES)[number]

const providerName = z.enum(AI_PROVIDERS)

export const catalogFileSchema = z
  .object({
    note: z.string().optional(),
    defaults: z.partialRecord(providerName, z.string().min(1)),
    models: z
      .array(
        z
          .object({
            id: z.string().min(1),
            providers: z.array(providerName).min(1),
            aliases: z.array(z.string().min(1)),
            contextWindow: z.number().int().positive(),
            capabilities: z.array(z.enum(CAPABILITIES)),
            inputPricePerMillion: z.number().min(0),
            outputPricePerMillion: z.number().min(0),
          })
          .strict(),
      )
      .min(1),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, string>()
    file.models.forEach((model, i) => {
      for (const provider of model.providers) {
        for (const name of [model.id, ...model.aliases]) {
          const key = `${provider}/${name.toLowerCase()}`
          const owner = seen.get(key)
          if (owner !== undefined && owner !== model.id) {
            ctx.addIssue({
              code: 'custom',
              path: ['models', i, 'aliases'],
              message: `"${name}" already names ${owner} for ${provider}`,
            })
          }
          seen.set(key, model.id)
        }
      }
    })
    for (const [provider, id] of Object.entries(file.defaults)) {
      if (!file.models.some((m) => m.id === id && m.providers.includes(provider as AiProviderName))) {
        ctx.addIssue({
          code: 'custom',
          path: ['defaults', provider],
          message: `default model "${id}" is not a ${provider} model in the catalog`,
        })
      }
    }
  })

export type CatalogFile = z.infer<typeof catalogFileSchema>

/** A parsed model reference: `provider/model`, a catalog id, or an alias. */
export type ModelRef = { provider: AiProviderName | undefined; model: string; info: ModelInfo | undefined }

export type Catalog = {
  models: readonly ModelInfo[]
  resolveModel(nameOrRef: string): ModelInfo | undefined
  parseModelRef(ref: string): ModelRef
  modelsFor(provider: string): ModelInfo[]
  defaultModel(provider: string): ModelInfo | undefined
  costUsd(model: string | ModelInfo | undefined, usage: AiUsage): number | undefined
}

/** Build a catalog from catalog-file data (the built-in `models.json` by default). Throws when invalid. */
export function createCatalog(data: unknown = builtIn): Catalog {
  const parsed = catalogFileSchema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`Invalid model catalog at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`)
  }
  const file = parsed.data
  const models: ModelInfo[] = file.models.flatMap((m) =>
    m.providers.map((provider) => ({
      id: m.id,
      provider,
      aliases: [...m.aliases],
      contextWindow: m.contextWindow,
      capabilities: [...m.capabilities],
      inputPricePerMillion: m.inputPricePerMillion,
      outputPricePerMillion: m.outputPricePerMillion,
    })),
  )
  // Ids win over aliases; providers in file order (google before vertex, openai before azure).
  const byId = new Map<string, ModelInfo>()
  const byAlias = new Map<string, ModelInfo>()
  const scoped = new Map<string, ModelInfo>()
  for (const model of models) {
    const id = model.id.toLowerCase()
    if (!byId.has(id)) byId.set(id, model)
    for (const alias of model.aliases) if (!byAlias.has(alias.toLowerCase())) byAlias.set(alias.toLowerCase(), model)
    for (const name of [model.id, ...model.aliases]) scoped.set(`${model.provider}/${name.toLowerCase()}`, model)
  }

  function parseModelRef(ref: string): ModelRef {
    const trimmed = ref.trim()
    const slash = trimmed.indexOf('/')
    if (slash > 0) {
      const prefix = trimmed.slice(0, slash).toLowerCase()
      if ((AI_PROVIDERS as readonly string[]).includes(prefix)) {
        const model = trimmed.slice(slash + 1)
        const info = scoped.get(`${prefix}/${model.toLowerCase()}`)
        return { provider: prefix as AiProviderName, model: info?.id ?? model, info }
      }
    }
    const key = trimmed.toLowerCase()
    const info = byId.get(key) ?? byAlias.get(key)
    return { provider: info?.provider as AiProviderName | undefined, model: info?.id ?? trimmed, info }
  }

  function resolveModel(nameOrRef: string): ModelInfo | undefined {
    return parseModelRef(nameOrRef).info
  }

  function modelsFor(provider: string): ModelInfo[] {
    return models.filter((m) => m.provider === provider)
  }

  function defaultModel(provider: string): ModelInfo | undefined {
    const id = file.defaults[provider as AiProviderName]
    return id === undefined ? undefined : scoped.get(`${provider}/${id.toLowerCase()}`)
  }

  function costUsd(model: string | ModelInfo | undefined, usage: AiUsage): number | undefined {
    const info = typeof model === 'string' ? resolveModel(model) : model
    // Unknown is unknown: never price a missing count as zero tokens.
    if (info === undefined || usage.inputTokens === undefined || usage.outputTokens === undefined) return undefined
    if (!Number.isFinite(usage.inputTokens) || !Number.isFinite(usage.outputTokens)) return undefined
    const cost =
      (usage.inputTokens * info.inputPricePerMillion + usage.outputTokens * info.outputPricePerMillion) / 1_000_000
    return Math.round(cost * 1e12) / 1e12
  }

  return { models, resolveModel, parseModelRef, modelsFor, defaultModel, costUsd }
}

/** The built-in catalog (immutable data, so one shared instance is safe). */
export const catalog: Catalog = createCatalog()
export const resolveModel = catalog.resolveModel
export const parseModelRef = catalog.parseModelRef
export const modelsFor = catalog.modelsFor
export const defaultModel = catalog.defaultModel
export const costUsd = catalog.costUsd
