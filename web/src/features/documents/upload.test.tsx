import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../../api/client.ts'
import { renderRoutes } from '../../test/render.tsx'
import { Upload, uploadMessage } from './Upload.tsx'

afterEach(() => vi.unstubAllGlobals())

/** A fake XMLHttpRequest that reports progress, then answers as told. */
function fakeXhr(status: number, body: unknown) {
  const sent: FormData[] = []
  class FakeXhr {
    status = 0
    responseText = ''
    upload: { onprogress?: (e: { lengthComputable: boolean; loaded: number; total: number }) => void } = {}
    onload?: () => void
    onerror?: () => void
    onabort?: () => void
    open() {}
    setRequestHeader() {}
    abort() {}
    send(form: FormData) {
      sent.push(form)
      this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 })
      setTimeout(() => {
        this.status = status
        this.responseText = JSON.stringify(body)
        this.onload?.()
      }, 10)
    }
  }
  vi.stubGlobal('XMLHttpRequest', FakeXhr)
  return sent
}

describe('document upload', () => {
  it('refuses a file that is not a PDF or an image before sending, under the field', async () => {
    const sent = fakeXhr(201, {})
    const u = userEvent.setup({ applyAccept: false })
    renderRoutes([{ path: '/', element: <Upload /> }], '/')
    const input = await screen.findByLabelText('Document or image')
    await u.upload(input, new File(['hello'], 'notes.txt', { type: 'text/plain' }))
    expect((await screen.findByTestId('upload-error')).textContent).toBe('Choose a PDF, PNG, JPEG or WebP file.')
    expect(input.getAttribute('aria-invalid')).toBe('true')
    expect(sent).toHaveLength(0)
  })

  it("sends the file in the field 'file' and says the analysis is on its way", async () => {
    const sent = fakeXhr(201, { id: 'd', filename: 'report.pdf', status: 'queued' })
    const u = userEvent.setup()
    renderRoutes([{ path: '/', element: <Upload /> }], '/')
    await u.upload(
      await screen.findByLabelText('Document or image'),
      new File(['%PDF-1.4'], 'report.pdf', { type: 'application/pdf' }),
    )
    await screen.findByText('report.pdf uploaded. Its analysis is on the way.')
    expect((sent[0]!.get('file') as File).name).toBe('report.pdf')
  })

  it("puts the server's refusal in words", async () => {
    fakeXhr(422, { error: { code: 'document_encrypted', message: 'encrypted' } })
    const u = userEvent.setup()
    renderRoutes([{ path: '/', element: <Upload /> }], '/')
    await u.upload(
      await screen.findByLabelText('Document or image'),
      new File(['%PDF-1.4'], 'locked.pdf', { type: 'application/pdf' }),
    )
    await waitFor(() =>
      expect(screen.getByTestId('upload-error').textContent).toBe(
        'The PDF is protected by a password: save an unprotected copy and upload that.',
      ),
    )
    expect(uploadMessage(new ApiError(413, 'file_too_large', 'x'))).toBe('The file is larger than 10 MB.')
  })
})
