/**
 * The version rule (docs/consumers.md): a customer's `version` starts at 1 and rises by one per
 * event; every event and snapshot carries the whole customer at that version. Apply a message
 * only when its version is newer than the one you hold for that customer, and store the
 * version with the state in the same transaction. Duplicates, redelivery after a crash and a
 * snapshot overlapping the events then have no effect.
 *
 * @param candidate the message's `version`
 * @param held the version you hold for that customer, or null/undefined when you hold none
 */
export function isNewer(candidate: number, held: number | null | undefined): boolean {
  return held === null || held === undefined || candidate > held;
}
