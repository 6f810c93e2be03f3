import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { LogLine } from '../../../packages/runtime/src/container-runtime.js';
import { LogLineDecoder } from '../../../packages/runtime/src/log-lines.js';

/** One multiplexed frame as dockerd writes it (stream id, 3 zero bytes, big-endian length). */
function frame(stream: 1 | 2, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function decodeAll(chunks: readonly Buffer[], timestamps = false): LogLine[] {
  const decoder = new LogLineDecoder(timestamps);
  return [...chunks.flatMap((c) => decoder.push(c)), ...decoder.end()];
}

/** Cuts `bytes` at the given offsets. */
function cut(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  return chunks;
}

describe('LogLineDecoder', () => {
  it('splits frames into lines per stream, joining lines that span frames', () => {
    const bytes = Buffer.concat([frame(1, 'out1\nou'), frame(2, 'err1\n'), frame(1, 't2\n'), frame(1, 'tail')]);
    expect(decodeAll([bytes])).toEqual([
      { stream: 'stdout', text: 'out1' },
      { stream: 'stderr', text: 'err1' },
      { stream: 'stdout', text: 'out2' },
      { stream: 'stdout', text: 'tail' },
    ]);
  });

  it('keeps empty lines and multi-byte characters cut between frames', () => {
    const snowman = Buffer.from('☃\n', 'utf8');
    const bytes = Buffer.concat([frame(1, '\n'), frame(1, snowman.subarray(0, 1)), frame(1, snowman.subarray(1))]);
    expect(decodeAll([bytes])).toEqual([
      { stream: 'stdout', text: '' },
      { stream: 'stdout', text: '☃' },
    ]);
  });

  it('reads TTY (not multiplexed) output as stdout', () => {
    expect(decodeAll([Buffer.from('hello\nworld\n')])).toEqual([
      { stream: 'stdout', text: 'hello' },
      { stream: 'stdout', text: 'world' },
    ]);
  });

  it('takes the timestamp Docker puts in front of each line', () => {
    const bytes = frame(2, '2026-11-25T23:40:01.123456789Z boom: it broke\nno stamp\n');
    expect(decodeAll([bytes], true)).toEqual([
      { stream: 'stderr', text: 'boom: it broke', time: Date.UTC(2026, 10, 25, 23, 40, 1, 123) },
      { stream: 'stderr', text: 'no stamp' },
    ]);
  });

  it('gives each stream\'s text split on newlines, however the byte stream is chunked', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é', '☃', '\n') });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(1 as const, 2 as const), line), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (frames, offsets) => {
          const bytes = Buffer.concat(frames.map(([s, t]) => frame(s, t)));
          const lines = decodeAll(cut(bytes, offsets));
          for (const [id, stream] of [[1, 'stdout'], [2, 'stderr']] as const) {
            // Per stream, the lines are exactly that stream's text split on newlines.
            const text = frames.filter(([s]) => s === id).map(([, t]) => t).join('');
            const expected = text === '' ? [] : text.replace(/\n$/, '').split('\n');
            expect(lines.filter((l) => l.stream === stream).map((l) => l.text)).toEqual(expected);
          }
        },
      ),
    );
  });
});
