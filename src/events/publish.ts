/**
 * Publishing an event is appending it to the outbox in the caller's transaction: the one writer
 * is `data/repositories/events.ts` (it validates each payload against its type). Re-exported here
 * for code that thinks in events rather than tables; repositories import the writer directly.
 */
export { InvalidEventError, appendEvents, publish, writeWithEvents } from '../data/repositories/events.ts'
