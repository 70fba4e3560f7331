import type { GatewayCatalog } from '../gateway-parts.ts'

const tables = new WeakMap<object, Map<string, readonly string[]>>()

/**
 * The catalog's capabilities of a `provider/model` (`vision`, `tools`, …), built once per catalog;
 * undefined for a model the catalog does not know (a custom server's model): not checked.
 */
export function capabilitiesOf(
  catalog: GatewayCatalog,
): (provider: string, model: string) => readonly string[] | undefined {
  let table = tables.get(catalog)
  if (!table) {
    table = new Map(catalog.models().map((m) => [`${m.provider}/${m.id}`, m.capabilities]))
    tables.set(catalog, table)
  }
  const known = table
  return (provider, model) => known.get(`${provider}/${model}`)
}

const windows = new WeakMap<object, Map<string, number>>()

/** The catalog's context window of a `provider/model`; undefined for a model the catalog does not know. */
export function contextWindowOf(catalog: GatewayCatalog): (provider: string, model: string) => number | undefined {
  let table = windows.get(catalog)
  if (!table) {
    table = new Map(catalog.models().map((m) => [`${m.provider}/${m.id}`, m.contextWindow]))
    windows.set(catalog, table)
  }
  const known = table
  return (provider, model) => known.get(`${provider}/${model}`)
}
