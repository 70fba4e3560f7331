import { z } from 'zod'
import multipart from '@fastify/multipart'
import { errorResponse, uuidParam } from '../../contracts/common.ts'
import { documentDetail, documentList, documentSummary } from '../../contracts/documents.ts'
import { DocumentTooLargeError } from '../../app/documents/inspect.ts'
import { DOCUMENT_LIMITS } from '../../domain/documents/files.ts'
import { NotFoundError, OptimaliqError } from '../../errors.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const tooLarge = () =>
  new DocumentTooLargeError(
    'file_too_large',
    `The file is larger than ${DOCUMENT_LIMITS.maxBytes / 1024 / 1024} MB.`,
    DOCUMENT_LIMITS.maxBytes,
  )

/** Documents and images: upload (multipart), list, read with the analysis, delete. */
export const documentRoutes: RouteModule = async (app, { documents, hooks }) => {
  const security = [{ bearer: [] }]

  // Multipart only in this scope, with one file of at most 10 MB.
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: DOCUMENT_LIMITS.maxBytes, files: 1, fields: 4, parts: 5, fieldSize: 1024 },
    })
    scope.post(
      '/api/documents',
      {
        onRequest: hooks.requireUser,
        schema: {
          tags: ['documents'],
          summary: 'Upload a PDF, PNG, JPEG or WebP (multipart/form-data, field "file", at most 10 MB)',
          description:
            'The type is judged by the content, not the name: anything else is 415. An encrypted or unreadable PDF is 422; a file past 10 MB, 100 pages or 40 megapixels is 413. The analysis is queued: follow `document.updated` events or read the document.',
          security,
          consumes: ['multipart/form-data'],
          response: {
            201: documentSummary,
            400: errorResponse,
            401: errorResponse,
            413: errorResponse,
            415: errorResponse,
            422: errorResponse,
          },
        },
      },
      async (request, reply) => {
        if (!request.isMultipart())
          throw new OptimaliqError(
            'unsupported_media_type',
            'Send the file as multipart/form-data in a field named "file"',
            { status: 415 },
          )
        let file
        try {
          file = await request.file()
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode === 413) throw tooLarge()
          throw new OptimaliqError('invalid_multipart', 'The multipart body could not be read', {
            status: 400,
            cause: error,
          })
        }
        if (!file)
          throw new OptimaliqError('validation_failed', 'No file in the request: send it in a field named "file"', {
            status: 400,
            details: [{ field: 'file', message: 'required' }],
          })
        let bytes: Buffer
        try {
          bytes = await file.toBuffer()
        } catch (error) {
          if (
            (error as { statusCode?: number; code?: string }).statusCode === 413 ||
            (error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE'
          )
            throw tooLarge()
          throw error
        }
        const doc = await documents.upload(principalOf(request).claims, {
          bytes,
          filename: file.filename,
          declaredType: file.mimetype,
        })
        reply.code(201)
        return doc
      },
    )
  })

  app.get(
    '/api/documents',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['documents'],
        summary: 'Your documents, newest first',
        security,
        response: { 200: documentList, 401: errorResponse },
      },
    },
    async (request) => ({ documents: await documents.list(principalOf(request).claims) }),
  )

  app.get(
    '/api/documents/:id',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['documents'],
        summary: 'A document with its extracted text and analysis',
        security,
        params: uuidParam,
        response: { 200: documentDetail, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request) => {
      const doc = await documents.get(principalOf(request).claims, request.params.id)
      if (!doc) throw new NotFoundError('Document')
      return doc
    },
  )

  app.delete(
    '/api/documents/:id',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['documents'],
        summary: 'Delete a document and its file',
        security,
        params: uuidParam,
        response: { 204: z.null(), 401: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      if (!(await documents.remove(principalOf(request).claims, request.params.id))) throw new NotFoundError('Document')
      return reply.code(204).send(null)
    },
  )
}
