import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock'
import { optionalText, optionalUrl } from './env-fields.ts'
import { bearer, defineProvider, fetchOption, type FetchFunction } from './provider-module.ts'

/**
 * Amazon Bedrock through its Converse API (`@ai-sdk/amazon-bedrock`): SigV4 with the AWS access
 * key, or a Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`). `AWS_BEDROCK_BASE_URL` points it at
 * another endpoint (the simulator, a VPC endpoint).
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 */
export const bedrock = defineProvider({
  name: 'bedrock',
  env: {
    AWS_REGION: optionalText,
    AWS_ACCESS_KEY_ID: optionalText,
    AWS_SECRET_ACCESS_KEY: optionalText,
    AWS_SESSION_TOKEN: optionalText,
    AWS_BEARER_TOKEN_BEDROCK: optionalText,
    AWS_BEDROCK_BASE_URL: optionalUrl,
  },
  settings: (env) => ({
    region: env.AWS_REGION,
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN,
    apiKey: env.AWS_BEARER_TOKEN_BEDROCK,
    baseURL: env.AWS_BEDROCK_BASE_URL,
  }),
  isConfigured: (s) =>
    s.region !== undefined &&
    (s.apiKey !== undefined || (s.accessKeyId !== undefined && s.secretAccessKey !== undefined)),
  createModelFactory(s, fetch) {
    const provider = bedrockProvider(s, fetch)
    return (id) => provider.languageModel(id)
  },
  createEmbeddingFactory(s, fetch) {
    const provider = bedrockProvider(s, fetch)
    return (id) => provider.embedding(id)
  },
  endpoint(s) {
    const baseURL = s.baseURL ?? `https://bedrock-runtime.${s.region ?? 'us-east-1'}.amazonaws.com`
    // No pass-through: Converse is not an OpenAI format, so /v1 always translates through the SDK.
    return {
      format: 'bedrock-converse',
      baseURL,
      chatCompletionsUrl: `${baseURL}/model/{model}/converse`,
      headers: bearer(s.apiKey),
    }
  },
})

type BedrockSettings = {
  region: string | undefined
  accessKeyId: string | undefined
  secretAccessKey: string | undefined
  sessionToken: string | undefined
  apiKey: string | undefined
  baseURL: string | undefined
}

function bedrockProvider(s: BedrockSettings, fetch: FetchFunction | undefined) {
  return createAmazonBedrock({
    region: s.region,
    ...(s.apiKey !== undefined
      ? { apiKey: s.apiKey }
      : { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken }),
    baseURL: s.baseURL,
    ...fetchOption(fetch),
  })
}
