/**
 * The one place that turns a failure into what fleetctl prints and its exit code. Commands throw
 * CliError for outcomes they word themselves; FleetErrors from the registry and the Docker edge
 * are mapped here by `code`; anything else is a bug and keeps its stack.
 */

/** An expected failure, already worded: `message` is printed as is on stderr. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** What main prints for a failure. */
export interface FailureReport {
  /** Printed on stderr; ends with a newline. */
  readonly text: string;
  readonly exitCode: number;
}

export interface ErrorContext {
  /** The etcd endpoints as given, for "cannot reach" messages. */
  readonly endpoints: string;
  /** --request-timeout, for "no answer within" messages. */
  readonly requestTimeoutMs: number;
  /** Print stacks of unexpected errors (always) and causes of mapped ones (with --debug). */
  readonly debug: boolean;
}

type Wording = (error: CodedError, context: ErrorContext) => string;

interface CodedError extends Error {
  readonly code: string;
}

const asIs: Wording = (error) => `Error: ${error.message}`;

/** Exit code 1 for all of them: fleet used 1 for every registry, validation and wait failure. */
const WORDINGS: Readonly<Record<string, Wording>> = {
  ETCD_UNAVAILABLE: (error, context) =>
    `Error: cannot reach etcd at ${context.endpoints}: ${unavailableDetail(error, context.requestTimeoutMs)}`,
  ETCD_ERROR: (error) => `Error: etcd refused the request: ${error.message.replace(/^etcd error during /, '')}`,
  CAS_CONFLICT: (error) => `Error: ${error.message}; it was changed concurrently, try again`,
  UNIT_EXISTS: asIs,
  UNIT_NOT_FOUND: asIs,
  UNIT_PARSE: asIs,
  UNIT_INVALID: asIs,
  UNIT_NAME: asIs,
  KEY_INVALID: asIs,
  DOCKER_UNAVAILABLE: asIs,
  DOCKER_NOT_FOUND: asIs,
  DOCKER_CONFLICT: asIs,
  DOCKER_ERROR: asIs,
  DOCKER_ENDPOINT_INVALID: asIs,
  IMAGE_NOT_FOUND: asIs,
  IMAGE_PULL_FAILED: asIs,
};

/** Maps any thrown value to its stderr text and exit code. */
export function describeFailure(error: unknown, context: ErrorContext): FailureReport {
  if (error instanceof CliError) return { text: `${error.message}\n`, exitCode: error.exitCode };
  if (isCoded(error)) {
    const wording = WORDINGS[error.code];
    if (wording !== undefined) {
      const line = oneLine(wording(error, context));
      const cause = context.debug && error.cause instanceof Error ? `${error.cause.stack ?? error.cause.message}\n` : '';
      return { text: `${line}\n${cause}`, exitCode: 1 };
    }
  }
  // Not a failure we know how to word: a bug. Show where it came from.
  const stack = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return { text: `Unexpected error: ${stack}\n`, exitCode: 1 };
}

function isCoded(error: unknown): error is CodedError {
  // Duck-typed: FleetError's class may come from another copy of core (dist vs source).
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

/** gRPC's "No connection established. Last error: Error: connect ECONNREFUSED …" → the last error. */
function unavailableDetail(error: Error, requestTimeoutMs: number): string {
  const text = error.message.replace(/^etcd unavailable during [^:]*: /, '');
  // gRPC's deadline text lists its internal stages; what matters is that etcd did not answer.
  if (/deadline exceeded/i.test(text)) return `no answer within ${requestTimeoutMs / 1000} s`;
  const at = text.indexOf('Last error: ');
  const detail =
    at === -1
      ? text.replace(/^\d+ [A-Z_]+: /, '')
      : text.slice(at + 'Last error: '.length).replace(/^Error: /, '').split('. Resolution note')[0] ?? '';
  return detail.trim().replace(/\.$/, '');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
