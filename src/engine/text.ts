import type { Span } from './types';

/** Maps offsets to 1-based line/column for one file's text. Built once per file, O(log n) per lookup. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo] + 1 };
  }

  /** Offset of a 1-based line/column. */
  offset(line: number, column = 1): number {
    const l = Math.max(1, Math.min(line, this.starts.length));
    return Math.min(this.starts[l - 1] + column - 1, this.text.length);
  }

  lineText(line: number): string {
    const start = this.offset(line, 1);
    const next = line < this.starts.length ? this.starts[line] - 1 : this.text.length;
    return this.text.slice(start, next).replace(/\r$/, '');
  }

  span(file: string, start: number, end: number): Span {
    const a = this.position(start);
    const b = this.position(Math.max(start, end));
    return { file, start, end: Math.max(start, end), line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }
}

/**
 * Converts a UTF-8 byte offset (what libpg-query reports) into a UTF-16 offset in `text`.
 * ASCII-only text (the common case) maps one to one, so that path is a single test.
 */
export function utf8ToUtf16Offset(text: string, byteOffset: number): number {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return Math.min(byteOffset, text.length);
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    if (bytes >= byteOffset) return i;
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return text.length;
}

/** 64-bit FNV-1a as 16 hex digits: a stable, dependency-free fingerprint hash. */
export function fnv1a64(input: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ (c >>> 3) ^ h1, 0x01000193) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

/** Collapses whitespace so fingerprints and comparisons ignore formatting. */
export function normalizeCode(code: string): string {
  return code.replace(/\s+/g, ' ').trim();
}
