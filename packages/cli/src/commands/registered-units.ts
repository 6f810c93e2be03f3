import type { CommandArgs, CommandContext } from '../command.js';
import { blockAttemptsOf, operandsOf } from '../command.js';

/**
 * What stop, unload and destroy share: the named units that exist in the registry, or fleet's
 * notice (and exit 0) when none were given or none exist. The heavy modules load only here, so
 * `--help` stays fast.
 */
export async function registeredUnits(ctx: CommandContext, args: CommandArgs) {
  const words = operandsOf(args);
  if (words.length === 0) {
    ctx.out.error('No units given');
    return undefined;
  }
  const attempts = blockAttemptsOf(args);
  const [actions, wait, api] = await Promise.all([import('../unit-actions.js'), import('../wait.js'), ctx.api()]);
  const units = await actions.findUnits(api, words);
  if (units.length === 0) {
    ctx.out.error('Units not found in registry');
    return undefined;
  }
  return { units, attempts, actions, wait, api };
}
