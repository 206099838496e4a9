// ZooKeeper path rules and helpers: full validation (PathUtils.validatePath), the lighter checks
// the server applies to deletes and reads, and parent / child-name splitting.
// Counterpart: org.apache.zookeeper.common.PathUtils.

/** The reason a path is invalid, or undefined when it is valid. */
export function pathProblem(path: string | null | undefined, isSequential = false): string | undefined {
  if (path === null || path === undefined) return 'Path cannot be null';
  if (isSequential) path = path + '1';
  if (path.length === 0) return 'Path length must be > 0';
  if (path.charCodeAt(0) !== 0x2f) return 'Path must start with / character';
  if (path.length === 1) return undefined;
  if (path.charCodeAt(path.length - 1) === 0x2f) return 'Path must not end with / character';
  let lastc = 0x2f;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return `null character not allowed @${i}`;
    if (c === 0x2f && lastc === 0x2f) return `empty node name specified @${i}`;
    if (c === 0x2e && lastc === 0x2e) {
      if (path.charCodeAt(i - 2) === 0x2f && (i + 1 === path.length || path.charCodeAt(i + 1) === 0x2f)) {
        return `relative paths not allowed @${i}`;
      }
    } else if (c === 0x2e) {
      if (path.charCodeAt(i - 1) === 0x2f && (i + 1 === path.length || path.charCodeAt(i + 1) === 0x2f)) {
        return `relative paths not allowed @${i}`;
      }
    } else if (
      (c > 0x00 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)
    ) {
      return `invalid character @${i}`;
    }
    lastc = c;
  }
  return undefined;
}

export function isValidPath(path: string, isSequential = false): boolean {
  return pathProblem(path, isSequential) === undefined;
}

/** The parent of a path ("/" for top-level nodes); the root has no parent. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last component of a path ("" for the root). */
export function childNameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}
