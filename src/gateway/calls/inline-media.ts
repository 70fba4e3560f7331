import type { LanguageModelV3 } from '@ai-sdk/provider'
import { ErrorClass, ProviderCallError } from '../router/errors.ts'
import type { ChatRequest, ContentPart } from './chat.ts'
import { MediaFetchError, type MediaFetcher } from './media-fetch.ts'

const IMAGE_TYPES: Record<string, string> = { png: 'image/png', gif: 'image/gif', webp: 'image/webp' }

/** The media type an image URL most likely has, from its extension (the AI SDK's guess too). */
export function guessImageType(url: URL): string {
  const extension = /\.(\w+)$/.exec(url.pathname)?.[1]?.toLowerCase() ?? ''
  return IMAGE_TYPES[extension] ?? 'image/jpeg'
}

/** Whether the model takes this URL as is (its `supportedUrls`, by media type pattern). */
async function takesUrl(model: LanguageModelV3, mediaType: string, url: string): Promise<boolean> {
  const supported = await model.supportedUrls
  return Object.entries(supported).some(
    ([pattern, regexes]) =>
      (pattern === '*' ||
        pattern === '*/*' ||
        pattern === mediaType ||
        (pattern.endsWith('/*') && mediaType.startsWith(pattern.slice(0, -1)))) &&
      regexes.some((r) => r.test(url)),
  )
}

/**
 * Image URLs a model cannot read by URL (Gemini, Vertex, Bedrock take bytes) are fetched — safely,
 * see `media-fetch.ts` — and sent inline as `data:` URLs; URLs the model reads itself (Anthropic,
 * Mistral) are left alone. A URL that cannot be fetched is the client's error: 400 naming the part.
 */
export async function inlineMedia(
  request: ChatRequest,
  model: LanguageModelV3,
  fetchMedia: MediaFetcher | undefined,
  signal: AbortSignal,
): Promise<ChatRequest> {
  if (!fetchMedia) return request
  let changed = false
  const messages = await Promise.all(
    request.messages.map(async (message, i) => {
      if (message.role !== 'user' || !Array.isArray(message.content)) return message
      const content = await Promise.all(
        message.content.map(async (part: ContentPart, j): Promise<ContentPart> => {
          const raw = part.type === 'image_url' ? part.image_url?.url : undefined
          if (!raw || !/^https?:\/\//i.test(raw)) return part
          const url = new URL(raw)
          if (await takesUrl(model, guessImageType(url), url.toString())) return part
          try {
            const fetched = await fetchMedia(url, signal)
            changed = true
            const mediaType = fetched.mediaType.startsWith('image/') ? fetched.mediaType : guessImageType(url)
            return {
              ...part,
              image_url: {
                ...part.image_url,
                url: `data:${mediaType};base64,${Buffer.from(fetched.data).toString('base64')}`,
              },
            }
          } catch (error) {
            if (!(error instanceof MediaFetchError)) throw error
            const provider = model.provider.split('.')[0] ?? model.provider
            const param = `messages[${i}].content[${j}].image_url.url`
            throw new ProviderCallError({
              provider,
              model: model.modelId,
              errorClass: ErrorClass.ClientError,
              statusCode: 400,
              message: `Could not fetch the image for ${provider}/${model.modelId}: ${error.message}`,
              upstream: {
                message: `Could not fetch the image at ${param}: ${error.message}`,
                code: 'invalid_image_url',
                param,
              },
            })
          }
        }),
      )
      return { ...message, content }
    }),
  )
  return changed ? { ...request, messages } : request
}
