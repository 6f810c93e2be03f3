import { decodeRune, fullRune, type DecodedRune } from './utf8.js';

/**
 * A model of Go's `bufio.Reader` (4096-byte buffer) reading an in-memory byte array, as
 * go-systemd's unit lexer used it. Only positions are tracked: which bytes are "buffered" decides
 * where go-systemd's 2048-byte line check looks, so reproducing fleet's accept/reject decisions
 * exactly needs the same refill points. Positions are absolute offsets into `data`.
 */
export const GO_BUFIO_DEFAULT_SIZE = 4096;

export interface ReadBytesResult {
  /** Offset of the first byte read. */
  readonly start: number;
  /** Offset just past the last byte read (the delimiter included when found). */
  readonly end: number;
  /** True when the input ended before the delimiter (Go's io.EOF). */
  readonly eof: boolean;
}

export class GoBufferedReader {
  private r = 0;
  private w = 0;
  private lastRuneSize = -1;

  constructor(
    private readonly data: Uint8Array,
    private readonly size: number = GO_BUFIO_DEFAULT_SIZE,
  ) {}

  /** Offset of the next unread byte. */
  get position(): number {
    return this.r;
  }

  /** Go's `Buffered()`. */
  buffered(): number {
    return this.w - this.r;
  }

  /** True when one of the next `n` buffered bytes is `\r` or `\n` (Peek(n) + ContainsAny). */
  peekHasLineBreak(n: number): boolean {
    const end = Math.min(this.r + n, this.w);
    for (let i = this.r; i < end; i++) {
      const b = this.data[i]!;
      if (b === 0x0a || b === 0x0d) return true;
    }
    return false;
  }

  /** Go's `ReadRune`; null at end of input. Invalid UTF-8 yields U+FFFD of size 1. */
  readRune(): DecodedRune | null {
    while (
      this.r + 4 > this.w &&
      !fullRune(this.data, this.r, this.w) &&
      this.w < this.data.length &&
      this.w - this.r < this.size
    ) {
      this.fill();
    }
    this.lastRuneSize = -1;
    if (this.r === this.w) return null;
    const decoded = decodeRune(this.data, this.r, this.w);
    this.r += decoded.size;
    this.lastRuneSize = decoded.size;
    return decoded;
  }

  /** Go's `UnreadRune` right after a `ReadRune`. */
  unreadRune(): void {
    if (this.lastRuneSize < 0) throw new Error('unreadRune without a preceding readRune');
    this.r -= this.lastRuneSize;
    this.lastRuneSize = -1;
  }

  /** Go's `ReadBytes(delim)`: reads through the next `delim`, or to the end of input. */
  readBytes(delim: number): ReadBytesResult {
    const start = this.r;
    this.lastRuneSize = -1;
    for (;;) {
      const idx = this.data.subarray(this.r, this.w).indexOf(delim);
      if (idx >= 0) {
        this.r += idx + 1;
        return { start, end: this.r, eof: false };
      }
      if (this.w === this.data.length) {
        this.r = this.w;
        return { start, end: this.r, eof: true };
      }
      if (this.w - this.r >= this.size) {
        // ErrBufferFull: ReadBytes keeps the fragment and reads on.
        this.r = this.w;
        continue;
      }
      this.fill();
    }
  }

  /** bufio's fill(): slide the unread bytes to the front and read as much as fits. */
  private fill(): void {
    if (this.w < this.data.length) this.w = Math.min(this.r + this.size, this.data.length);
  }
}
