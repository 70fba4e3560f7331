/** When a retake opens: last taken + the retake window. Never taken → open now (null). */
export function retakeAvailableAt(lastTaken: Date | null | undefined, retakeDays: number): Date | null {
  if (!lastTaken) return null
  return new Date(lastTaken.getTime() + retakeDays * 86_400_000)
}

/** Whether a retake is allowed at `now`. */
export function canRetake(lastTaken: Date | null | undefined, retakeDays: number, now: Date): boolean {
  const opens = retakeAvailableAt(lastTaken, retakeDays)
  return opens === null || opens.getTime() <= now.getTime()
}
