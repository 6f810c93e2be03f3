/** Anything text can be written to: process.stdout, a socket, a test's collector. */
export interface TextSink {
  write(chunk: string): unknown;
}

/**
 * Everything fleetctl touches outside its arguments. The bin passes the process's own; tests pass
 * collectors, their own environment, and may pin the clock.
 */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Where `FLEETCTL_*` settings are read from (never process.env directly). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Ends waits and `journal --follow` early (the bin aborts it on SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  /** ms since epoch; defaults to Date.now. */
  readonly now?: () => number;
}

/** Line-oriented writing to the two streams. */
export class Output {
  constructor(private readonly io: Pick<CliIo, 'stdout' | 'stderr'>) {}

  /** Raw text to stdout, exactly as given. */
  write(text: string): void {
    if (text !== '') this.io.stdout.write(text);
  }

  /** One stdout line. */
  line(text: string): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** Raw text to stderr. */
  writeError(text: string): void {
    if (text !== '') this.io.stderr.write(text);
  }

  /** One stderr line. */
  error(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }
}
