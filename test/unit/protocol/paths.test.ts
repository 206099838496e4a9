// PathUtils (protocol.md §15.12) and the parent / child helpers.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childNameOf, isValidPath, joinPath, parentOf, pathProblem } from '../../../protocol/paths.js';

const VALID = [
  '/', '/a', '/a/b', '/a.b', '/..a', '/a..', '/...', '/.a', '/a./b', '/a/b.c/d', '/zookeeper/quota',
  '/-_ :=+~!@#$%^&*()', '/\u00a0', '/\u00e9t\u00e9', '/\u65e5\u672c', '/\uf900', '/\uffef', '/a b',
  '/a/b/c/d/e/f/g/h/i/j', '/0000000001',
];

const INVALID: [string, string][] = [
  ['', 'Path length must be > 0'],
  ['a', 'Path must start with / character'],
  ['a/b', 'Path must start with / character'],
  ['/a/', 'Path must not end with / character'],
  ['//', 'Path must not end with / character'],
  ['/a//b', 'empty node name specified @3'],
  ['//a', 'empty node name specified @1'],
  ['/.', 'relative paths not allowed @1'],
  ['/..', 'relative paths not allowed @2'],
  ['/a/.', 'relative paths not allowed @3'],
  ['/a/./b', 'relative paths not allowed @3'],
  ['/a/../b', 'relative paths not allowed @4'],
  ['/./a', 'relative paths not allowed @1'],
  ['/\u0000', 'null character not allowed @1'],
  ['/a\u0000b', 'null character not allowed @2'],
  ['/\u0001', 'invalid character @1'],
  ['/\u001f', 'invalid character @1'],
  ['/a\tb', 'invalid character @2'],
  ['/\u007f', 'invalid character @1'],
  ['/\u0080', 'invalid character @1'],
  ['/\u009f', 'invalid character @1'],
  ['/\ud800', 'invalid character @1'],
  ['/\udfff', 'invalid character @1'],
  ['/\ue000', 'invalid character @1'],
  ['/\uf8ff', 'invalid character @1'],
  ['/\ufff0', 'invalid character @1'],
  ['/\ufffd', 'invalid character @1'],
  ['/\uffff', 'invalid character @1'],
  ['/\u{1f600}', 'invalid character @1'],
  ['/ok/\u{1f600}', 'invalid character @4'],
];

describe('PathUtils.validatePath', () => {
  it.each(VALID)('%j is valid', (p) => {
    expect(pathProblem(p)).toBeUndefined();
    expect(isValidPath(p)).toBe(true);
  });

  it.each(INVALID)('%j is invalid: %s', (p, reason) => {
    expect(pathProblem(p)).toBe(reason);
    expect(isValidPath(p)).toBe(false);
  });

  it('null / undefined are invalid', () => {
    expect(pathProblem(null)).toBe('Path cannot be null');
    expect(pathProblem(undefined)).toBe('Path cannot be null');
    expect(pathProblem(null, true)).toBe('Path cannot be null');
  });

  it('the boundaries of the forbidden ranges are allowed', () => {
    for (const c of [0x20, 0x7e, 0xa0, 0xd7ff, 0xf900, 0xffef]) {
      expect(isValidPath('/x' + String.fromCharCode(c)), c.toString(16)).toBe(true);
    }
  });
});

describe('sequential validation (path + "1")', () => {
  it.each([
    ['/p/', true],
    ['/', true],
    ['/p/lock-', true],
    ['/p', true],
    ['/p//', false],
    ['', false],
    ['p/', false],
    ['/.', true],
    ['/..', true],
    ['/p/.', true],
  ] as const)('%j sequential -> %s', (p, ok) => {
    expect(isValidPath(p, true)).toBe(ok);
    expect(pathProblem(p, true) === undefined).toBe(ok);
  });

  it('"/p/" is only valid as a sequential prefix', () => {
    expect(isValidPath('/p/')).toBe(false);
    expect(isValidPath('/p/', true)).toBe(true);
  });

  it('reasons refer to the suffixed path', () => {
    expect(pathProblem('/p//', true)).toBe('empty node name specified @3');
  });
});

describe('parentOf / childNameOf / joinPath', () => {
  it.each([
    ['/a', '/', 'a'],
    ['/a/b', '/a', 'b'],
    ['/a/b/c', '/a/b', 'c'],
    ['/zookeeper/quota', '/zookeeper', 'quota'],
    ['/a.b/c.d', '/a.b', 'c.d'],
  ])('%s -> parent %s, child %s', (p, parent, child) => {
    expect(parentOf(p)).toBe(parent);
    expect(childNameOf(p)).toBe(child);
    expect(joinPath(parent, child)).toBe(p);
  });

  it('the root has an empty name', () => {
    expect(childNameOf('/')).toBe('');
  });

  it('joinPath under the root does not double the slash', () => {
    expect(joinPath('/', 'x')).toBe('/x');
    expect(joinPath('/a', 'x')).toBe('/a/x');
  });

  it('split and join are inverse for valid non-root paths', () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9_\-.]{1,8}$/).filter((s) => s !== '.' && s !== '..');
    fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (parts) => {
      const p = '/' + parts.join('/');
      expect(isValidPath(p)).toBe(true);
      expect(joinPath(parentOf(p), childNameOf(p))).toBe(p);
      expect(childNameOf(p)).toBe(parts[parts.length - 1]);
      const parent = parentOf(p);
      expect(isValidPath(parent)).toBe(true);
      expect(parent).toBe(parts.length === 1 ? '/' : '/' + parts.slice(0, -1).join('/'));
    }), { numRuns: 200 });
  });
});
