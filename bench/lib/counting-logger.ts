import { createWriteStream, type WriteStream } from 'node:fs';
import type { LogFields, Logger } from '@fleet/core';

/**
 * The workers' logger: info and debug are dropped (a thousand agents would spend the benchmark
 * writing "started container" lines), warnings and errors are counted and the first `maxLines`
 * written to a file as JSON lines.
 */
export class CountingLogger implements Logger {
  /** Set while shutting down: what a stop logs (resigning leadership…) is not a problem. */
  muted = false;
  warnings = 0;
  errors = 0;
  lastProblem: string | undefined;
  private lines = 0;
  private readonly out: WriteStream;

  constructor(
    file: string,
    private readonly maxLines = 2_000,
  ) {
    this.out = createWriteStream(file, { flags: 'a' });
  }

  debug(): void {}
  info(): void {}

  warn(msg: string, fields?: LogFields): void {
    if (this.muted) return;
    this.warnings++;
    this.lastProblem = msg;
    this.write('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    if (this.muted) return;
    this.errors++;
    this.lastProblem = msg;
    this.write('error', msg, fields);
  }

  child(fields: LogFields): Logger {
    return new ChildLogger(this, fields);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }

  private write(level: string, msg: string, fields: LogFields | undefined): void {
    if (this.lines >= this.maxLines) return;
    this.lines++;
    this.out.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
  }
}

class ChildLogger implements Logger {
  constructor(
    private readonly root: CountingLogger,
    private readonly fields: LogFields,
  ) {}

  debug(): void {}
  info(): void {}
  warn(msg: string, fields?: LogFields): void {
    this.root.warn(msg, { ...this.fields, ...fields });
  }
  error(msg: string, fields?: LogFields): void {
    this.root.error(msg, { ...this.fields, ...fields });
  }
  child(fields: LogFields): Logger {
    return new ChildLogger(this.root, { ...this.fields, ...fields });
  }
}
