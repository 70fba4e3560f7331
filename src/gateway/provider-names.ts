/** The providers the gateway can call, in the order they are preferred when `AI_PROVIDER` is unset. */
export const AI_PROVIDERS = [
  'openai',
  'anthropic',
  'google',
  'vertex',
  'mistral',
  'azure',
  'bedrock',
  'custom',
] as const
export type ProviderName = (typeof AI_PROVIDERS)[number]
