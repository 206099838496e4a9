// Java .properties syntax, as zoo.cfg is written: `key=value`, `key: value` or `key value`,
// `#`/`!` comment lines, backslash line continuation and escapes (\t \n \r \f \uXXXX, \x -> x).
// Pure. Counterpart: java.util.Properties.load, which QuorumPeerConfig.parse calls.

import { ConfigError } from './config-error.js';

export interface PropertyEntry {
  key: string;
  value: string;
  /** 1-based number of the line the entry starts on. */
  line: number;
}

/** Entries in file order; a repeated key appears once per occurrence (callers pick the last). */
export function parseProperties(text: string, source?: string): PropertyEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = skipLeadingSpace(lines[i] ?? '');
    if (first === '' || first.startsWith('#') || first.startsWith('!')) continue;
    const startLine = i + 1;
    let logical = '';
    let segment = first;
    // A line ending in an odd number of backslashes continues on the next one, whose leading
    // whitespace is dropped. Comment syntax does not apply to continuation lines.
    while (endsWithOddBackslashes(segment)) {
      logical += segment.slice(0, -1);
      i++;
      if (i >= lines.length) {
        segment = '';
        break;
      }
      segment = skipLeadingSpace(lines[i] ?? '');
    }
    logical += segment;
    entries.push(splitEntry(logical, startLine, source));
  }
  return entries;
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\f';
const isSeparator = (c: string | undefined): boolean => c === '=' || c === ':';

function skipLeadingSpace(s: string): string {
  let i = 0;
  while (isSpace(s[i])) i++;
  return s.slice(i);
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function splitEntry(logical: string, line: number, source: string | undefined): PropertyEntry {
  // The key runs to the first unescaped '=', ':' or whitespace.
  let keyEnd = 0;
  while (keyEnd < logical.length) {
    const c = logical[keyEnd];
    if (c === '\\') {
      keyEnd += 2;
      continue;
    }
    if (isSeparator(c) || isSpace(c)) break;
    keyEnd++;
  }
  keyEnd = Math.min(keyEnd, logical.length);
  // Then: whitespace, at most one '=' or ':', whitespace, and the value is the rest.
  let valueStart = keyEnd;
  let hasSeparator = false;
  while (valueStart < logical.length) {
    const c = logical[valueStart];
    if (isSpace(c)) {
      valueStart++;
    } else if (!hasSeparator && isSeparator(c)) {
      hasSeparator = true;
      valueStart++;
    } else {
      break;
    }
  }
  return {
    key: unescape(logical.slice(0, keyEnd), line, source),
    value: unescape(logical.slice(valueStart), line, source),
    line,
  };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(s: string, line: number, source: string | undefined): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = s[i + 1];
    if (next === undefined) break; // a lone trailing backslash vanishes, as in Java
    i++;
    if (next === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new ConfigError(`malformed \\uXXXX escape '\\u${hex}'`, { source, line });
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
    }
  }
  return out;
}
