import { shortMachineId } from '@fleet/core';
import type { MachineRecord } from '@fleet/core';
import { DockerRuntime } from '@fleet/runtime';
import type { LogLine } from '@fleet/runtime';
import { CliError } from './errors.js';
import { formatJournalTime } from './time-format.js';
import { SHORT_CONTAINER_ID_LENGTH } from './unit-status.js';

/** journalctl's `--output`: `short` (time, machine, unit[container]: text) or `cat` (text only). */
export const LOG_FORMATS = ['short', 'cat'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A unit's container on one machine, reached through the Docker endpoint the machine publishes. */
export interface LogSource {
  readonly unit: string;
  readonly machine: MachineRecord;
  readonly containerId: string;
}

export interface LogReadOptions {
  readonly lines: number;
  readonly format: LogFormat;
  readonly timeoutMs: number;
}

/** The container's last `lines` lines, formatted. */
export async function readLogLines(source: LogSource, options: LogReadOptions): Promise<string[]> {
  const runtime = runtimeFor(source.machine, options.timeoutMs);
  const lines: string[] = [];
  for await (const line of runtime.logs(source.containerId, { tail: options.lines, timestamps: options.format === 'short' })) {
    lines.push(formatLogLine(line, source, options.format));
  }
  return lines;
}

/** The last `lines` lines, then new output as it comes, until the container stops or `signal` aborts. */
export async function followLogs(
  source: LogSource,
  options: LogReadOptions,
  signal: AbortSignal,
  emit: (line: string) => void,
): Promise<void> {
  const runtime = runtimeFor(source.machine, options.timeoutMs);
  const stream = runtime.logs(source.containerId, {
    tail: options.lines,
    follow: true,
    timestamps: options.format === 'short',
    signal,
  });
  for await (const line of stream) emit(formatLogLine(line, source, options.format));
}

/** `Nov 25 10:00:00 113f16a7 hello.service[3f2a1b4c5d6e]: Hello, World!` or the bare text. */
export function formatLogLine(line: LogLine, source: LogSource, format: LogFormat): string {
  if (format === 'cat') return line.text;
  const time = line.time === undefined ? '' : `${formatJournalTime(line.time)} `;
  const container = source.containerId.slice(0, SHORT_CONTAINER_ID_LENGTH);
  return `${time}${shortMachineId(source.machine.id)} ${source.unit}[${container}]: ${line.text}`;
}

function runtimeFor(machine: MachineRecord, timeoutMs: number): DockerRuntime {
  if (machine.dockerEndpoint === '') {
    throw new CliError(`Error: machine ${machine.id} publishes no Docker endpoint, so its containers cannot be read`);
  }
  return new DockerRuntime(machine.dockerEndpoint, machine.id, { requestTimeoutMs: timeoutMs });
}
