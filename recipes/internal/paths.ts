// Small path helpers of the recipes (namespace-free application paths).

import { BadArgumentsError, pathProblem } from '../../protocol/index.js';

/** The last component of `path`. */
export function childName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `parent` + "/" + `child`. */
export function makePath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

/** Throws BadArgumentsError for an invalid ZooKeeper path (as Curator's PathUtils.validatePath). */
export function validatePath(path: string): string {
  const problem = pathProblem(path);
  if (problem !== undefined) throw new BadArgumentsError(path, { cause: new Error(`invalid path "${path}": ${problem}`) });
  return path;
}
