import { parseFailure, parsedValue, type Parsed } from './parsed.js';

/**
 * Shell-style word splitting for command lines and word lists in unit files (ExecStart=, Exec=,
 * Environment=, Label=). No variable, glob or command expansion happens: `$` is an ordinary
 * character, so `sh -c "echo $HOME"` reaches the container's shell intact.
 *
 * - Blanks (space, tab, newline, CR) separate words; quoted and unquoted parts next to each other
 *   join into one word, and `""` or `''` is an empty word.
 * - `'…'` is literal.
 * - `"…"`: a backslash escapes `"`, `\`, `$` and `` ` ``; before any other character it stays.
 * - Outside quotes a backslash makes the next character literal.
 * - A backslash followed by a newline is systemd's line continuation (the unit lexer keeps both
 *   characters): systemd turns it into a space before anything else reads the value, so it
 *   separates words outside quotes and is one space inside quotes. A lone backslash at the very
 *   end is a continuation into nothing and also counts as a blank.
 */
export function splitShellWords(text: string): Parsed<string[]> {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (isBlank(ch)) {
      endWord();
      i++;
    } else if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined || next === '\n') {
        endWord();
      } else {
        word += next;
        inWord = true;
      }
      i += 2;
    } else if (ch === "'") {
      inWord = true;
      i++;
      for (;;) {
        const c = text[i];
        if (c === undefined) return parseFailure('unterminated single quote');
        i++;
        if (c === "'") break;
        if (c === '\\' && text[i] === '\n') {
          word += ' ';
          i++;
        } else {
          word += c;
        }
      }
    } else if (ch === '"') {
      inWord = true;
      i++;
      for (;;) {
        const c = text[i];
        if (c === undefined) return parseFailure('unterminated double quote');
        i++;
        if (c === '"') break;
        if (c !== '\\') {
          word += c;
          continue;
        }
        const next = text[i];
        if (next === '\n') {
          word += ' ';
          i++;
        } else if (next !== undefined && DOUBLE_QUOTE_ESCAPABLE.includes(next)) {
          word += next;
          i++;
        } else {
          word += '\\';
        }
      }
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  endWord();
  return parsedValue(words);
}

const DOUBLE_QUOTE_ESCAPABLE = '"\\$`';

function isBlank(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

const BARE_WORD = /^[A-Za-z0-9_./:@%+=,-]+$/;

/** Quotes one word so that splitShellWords gives it back unchanged. */
export function quoteShellWord(word: string): string {
  if (BARE_WORD.test(word)) return word;
  return `"${word.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

/** Joins words into one command line that splitShellWords splits back into the same words. */
export function joinShellWords(words: readonly string[]): string {
  return words.map(quoteShellWord).join(' ');
}
