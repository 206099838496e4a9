// Runs the ```ts examples of a docs/ page as real code: each block becomes a module (its imports
// kept, `zabkit/<entry>` pointed at the source tree, the rest wrapped in a function given
// `connectString`), and what it prints with console.log must equal its `// → ` comments, in
// order. Used by every docs test (client, framework, caches, recipes, ...).
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Package entry points the examples may import, and the source file each maps to. */
const ENTRIES: Record<string, string> = {
  'zabkit/framework': 'framework/index.js',
  'zabkit/testing': 'framework/testing/index.js',
  'zabkit/recipes': 'recipes/index.js',
  'zabkit/app': 'app/index.js',
  'zabkit/server': 'server/index.js',
  'zabkit/protocol': 'protocol/index.js',
};

export interface DocExample {
  readonly index: number;
  readonly code: string;
  /** The `// → ` comments, in order: what the example must print. */
  readonly expected: string[];
}

/** The ```ts blocks of a page (path relative to the repository root). */
export function docExamples(page: string): DocExample[] {
  const text = readFileSync(join(REPO_ROOT, page), 'utf8');
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.map((code, index) => ({
    index,
    code,
    expected: [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1]!.trimEnd()),
  }));
}

/**
 * A scratch directory for the generated modules, inside the tree so the test transform applies
 * and bare imports (rxjs) resolve. `remove()` it in afterAll.
 */
export function exampleWorkspace(label: string): { dir: string; remove(): Promise<void> } {
  const dir = join(REPO_ROOT, 'test', `.doc-examples-${label}-${process.pid}`);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes the example as a module and runs it; resolves to what it printed, one string per console.log. */
export async function runDocExample(workDir: string, example: DocExample, connectString: string): Promise<string[]> {
  await mkdir(workDir, { recursive: true });
  const file = join(workDir, `example-${example.index}.ts`);
  const imports: string[] = [];
  const body: string[] = [];
  for (const line of example.code.split('\n')) {
    if (/^import .* from '[^']+';$/.test(line)) {
      imports.push(
        line.replace(/'(zabkit\/[a-z]+)'/, (whole, entry: string) => {
          const target = ENTRIES[entry];
          return target ? `'${relative(dirname(file), join(REPO_ROOT, target))}'` : whole;
        }),
      );
    } else body.push(line.replace(/console\.log\(/g, '__log('));
  }
  const source = [
    ...imports,
    'export default async function run(connectString: string, __log: (...args: unknown[]) => void): Promise<void> {',
    ...body.map((l) => `  ${l}`),
    '}',
    '',
  ].join('\n');
  await writeFile(file, source);
  const mod = (await import(file)) as { default: (cs: string, log: (...a: unknown[]) => void) => Promise<void> };
  const printed: string[] = [];
  await mod.default(connectString, (...args) => printed.push(format(...args)));
  return printed;
}
