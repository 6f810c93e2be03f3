import { main } from '@fleet/cli';
import type { TextSink } from '@fleet/cli';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A TextSink that keeps what was written; `onWrite` sees the text so far (e.g. to interrupt). */
export function collector(onWrite?: (text: string) => void): TextSink & { text(): string } {
  let text = '';
  return {
    write(chunk: string) {
      text += chunk;
      onWrite?.(text);
      return true;
    },
    text: () => text,
  };
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly now?: () => number;
  readonly signal?: AbortSignal;
  readonly onStdout?: (text: string) => void;
  readonly onStderr?: (text: string) => void;
}

/** Runs fleetctl in-process, as the bin would, and returns what it printed and its exit code. */
export async function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const stdout = collector(options.onStdout);
  const stderr = collector(options.onStderr);
  const code = await main(args, {
    stdout,
    stderr,
    env: options.env ?? {},
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
