import type { LoggedChange } from './schedule-changes.js';

/**
 * Marks where the registry must wait for every earlier change to land before sending more
 * (`afterEarlier`). Between two marks the registry sends several txns at once and any subset of
 * them may land, so a stage holds only changes that stay right whichever others land:
 * - the unschedules come in a stage of their own, before anything that follows them: a unit
 *   leaves its machine before it, or a unit it conflicts with or is replaced by, is placed;
 * - a MachineOf follower's schedule starts a stage: its peer, placed earlier in the same plan,
 *   has landed first (a follower never lands without its peer).
 * Everything else — placements on distinct keys, refreshed copies, "why not placed" records — is
 * independent. Pure.
 */
export function markStages(changes: readonly LoggedChange[], followers: ReadonlySet<string>): LoggedChange[] {
  let removing: boolean | undefined;
  let placing = false;
  return changes.map((logged) => {
    const { change } = logged;
    const removal = change.kind === 'unschedule';
    const follower = change.kind === 'schedule' && followers.has(change.unit.name);
    const starts = (removing !== undefined && removing !== removal) || (follower && placing);
    if (starts) placing = false;
    removing = removal;
    if (change.kind === 'schedule') placing = true;
    return starts ? { ...logged, change: { ...change, afterEarlier: true } } : logged;
  });
}
