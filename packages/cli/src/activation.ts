import type { CommandContext } from './command.js';
import { submitUnits, unitNamesOf } from './submission.js';
import { printTriggered, refuseTemplates, retarget } from './unit-actions.js';
import { waitForUnits } from './wait.js';

export interface Activation {
  readonly command: 'load' | 'start';
  /** Words in fleet's messages: `Error loading units`, `Triggered unit X load`. */
  readonly errorPrefix: string;
  readonly action: string;
}

/**
 * `load` and `start`: create what is missing (as submit does), set the desired state, then wait
 * until each non-global unit is there on its machine — for start, until its container runs.
 */
export async function activate(
  ctx: CommandContext,
  words: readonly string[],
  options: { readonly replace: boolean; readonly attempts: number },
  how: Activation,
): Promise<number> {
  const state = how.command === 'start' ? 'launched' : 'loaded';
  refuseTemplates(unitNamesOf(words, 'Error creating units'), how.errorPrefix);
  const api = await ctx.api();
  const submitted = await submitUnits(api, ctx.out, words, { command: how.command, replace: options.replace });
  const entries = submitted.names.flatMap((name) => {
    const entry = submitted.entries.get(name);
    return entry === undefined ? [] : [entry];
  });
  const results = await retarget(api, entries, state);

  printTriggered(
    ctx,
    results.filter((r) => r.entry.global && r.changed).map((r) => r.entry.unit.name),
    how.action,
    true,
  );
  const local = results.filter((r) => !r.entry.global);
  if (options.attempts < 0) {
    printTriggered(ctx, local.filter((r) => r.changed).map((r) => r.entry.unit.name), how.action);
    return 0;
  }
  // Unlike fleet, units already at the desired state are waited on too: `start` answers only
  // once the container really runs (or has failed).
  const failures = await waitForUnits(
    ctx,
    api,
    local.map(({ entry }) => ({ name: entry.unit.name, goal: state, hash: entry.unit.hash, failOnError: true })),
    options.attempts,
  );
  return failures === 0 ? 0 : 1;
}
