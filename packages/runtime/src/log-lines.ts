import type { LogLine } from './container-runtime.js';

const HEADER_BYTES = 8;
const NEWLINE = 0x0a;
// Docker's stdcopy stream ids: 0 stdin, 1 stdout, 2 stderr, 3 daemon error text.
const STREAM_OF: readonly ('stdout' | 'stderr')[] = ['stdout', 'stdout', 'stderr', 'stderr'];
const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ([\s\S]*)$/;

/**
 * Turns the bytes of Docker's log endpoint into text lines. Output of a container without a TTY
 * is multiplexed: frames of an 8-byte header (stream id, 3 zero bytes, big-endian length) and a
 * payload. Frames and lines do not line up (a chunk may hold half a header; a line may span
 * frames), so bytes are buffered per stream and split on '\n' — which never occurs inside a
 * multi-byte UTF-8 sequence, so decoding whole lines is safe. If the first header is not a valid
 * one the stream is taken as raw (TTY) output on stdout.
 */
export class LogLineDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private raw = false;
  private readonly partial = { stdout: [] as Buffer[], stderr: [] as Buffer[] };

  constructor(private readonly timestamps = false) {}

  /** Lines completed by this chunk, in arrival order. */
  push(chunk: Buffer): LogLine[] {
    const lines: LogLine[] = [];
    if (this.raw) {
      this.append('stdout', chunk, lines);
      return lines;
    }
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= HEADER_BYTES) {
      const id = this.pending[0]!;
      const valid = id <= 3 && this.pending[1] === 0 && this.pending[2] === 0 && this.pending[3] === 0;
      if (!valid) {
        this.raw = true;
        const rest = this.pending;
        this.pending = Buffer.alloc(0);
        this.append('stdout', rest, lines);
        return lines;
      }
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER_BYTES + size) break;
      this.append(STREAM_OF[id]!, this.pending.subarray(HEADER_BYTES, HEADER_BYTES + size), lines);
      this.pending = this.pending.subarray(HEADER_BYTES + size);
    }
    return lines;
  }

  /** Whatever unterminated text is left, once the stream has ended. */
  end(): LogLine[] {
    const lines: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = Buffer.concat(this.partial[stream]);
      this.partial[stream] = [];
      if (rest.length > 0) lines.push(this.line(stream, rest));
    }
    return lines;
  }

  private append(stream: 'stdout' | 'stderr', bytes: Buffer, out: LogLine[]): void {
    let start = 0;
    for (let nl = bytes.indexOf(NEWLINE); nl >= 0; nl = bytes.indexOf(NEWLINE, start)) {
      const piece = bytes.subarray(start, nl);
      const whole = this.partial[stream].length === 0 ? piece : Buffer.concat([...this.partial[stream], piece]);
      this.partial[stream] = [];
      out.push(this.line(stream, whole));
      start = nl + 1;
    }
    // Copy: the caller's buffer may be reused.
    if (start < bytes.length) this.partial[stream].push(Buffer.from(bytes.subarray(start)));
  }

  private line(stream: 'stdout' | 'stderr', bytes: Buffer): LogLine {
    const text = bytes.toString('utf8');
    if (!this.timestamps) return { stream, text };
    const m = TIMESTAMPED.exec(text);
    if (m === null) return { stream, text };
    const time = Date.parse(m[1]!);
    return Number.isNaN(time) ? { stream, text } : { stream, text: m[2]!, time };
  }
}
