/**
 * Base class of every error fleet raises on purpose. `code` is stable and is what callers
 * (the CLI's exit-code mapping, logs, tests) switch on; the message is for people.
 */
export class FleetError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A unit file's text cannot be read (lexer errors carry the 1-based line number). */
export class UnitParseError extends FleetError {
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super('UNIT_PARSE', line === undefined ? message : `line ${line}: ${message}`);
    this.line = line;
  }
}

/** A unit file parsed but its contents are not acceptable (bad X-Fleet, bad container spec…). */
export class UnitValidationError extends FleetError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('UNIT_INVALID', problems.join('; '));
    this.problems = problems;
  }
}

/** A unit name breaks fleet's naming rules. */
export class UnitNameError extends FleetError {
  constructor(message: string) {
    super('UNIT_NAME', message);
  }
}
