import { errorResponse, uuidParam } from '../../contracts/common.ts'
import { processRequest, processResponse, taskView } from '../../contracts/tasks.ts'
import { NotFoundError } from '../../errors.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

/** Queued AI tasks: submit one, then follow it live (`task.updated` events) or poll it here. */
export const taskRoutes: RouteModule = (app, { tasks, hooks }) => {
  app.post(
    '/api/ai/process',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['tasks'],
        summary: 'Queue an AI task',
        description:
          'Validates the input for the task type, stores the task and queues it; progress arrives as `task.updated` events on the realtime stream.',
        security: [{ bearer: [] }],
        body: processRequest,
        response: { 202: processResponse, 400: errorResponse, 401: errorResponse },
      },
    },
    async (request, reply) => {
      const { user } = principalOf(request)
      const { task } = await tasks.submit(user.id, request.body)
      reply.code(202)
      return { taskId: task.id, status: task.status }
    },
  )

  app.get(
    '/api/ai/tasks/:id',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['tasks'],
        summary: 'A task: status, attempts, result or error',
        security: [{ bearer: [] }],
        params: uuidParam,
        response: { 200: taskView, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request) => {
      const task = await tasks.get(principalOf(request).claims, request.params.id)
      if (!task) throw new NotFoundError('Task')
      return task
    },
  )
}
