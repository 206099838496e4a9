// Runs the ```ts examples of a docs/ page as real code: each block becomes a module (its imports
// kept, `zabkit/<entry>` pointed at the source tree, the rest wrapped in a function given
// `connectString`), and what it prints with console.log must equal its `// → ` comments, in
// order. Used by every docs test (client, framework, caches, recipes, ...).
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import type { Backend, BackendSpec } from '../client/support/backends.js';

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

/**
 * The standard docs test: every example of `pages` runs against each backend (zabkit's server and
 * Apache ZooKeeper 3.8 unless told otherwise), each in a chroot of its own, and must print what
 * the page says. Call it at the top level of a test file.
 */
export async function describeDocPages(label: string, pages: readonly string[], backendSpecs?: readonly BackendSpec[]): Promise<void> {
  const { afterAll, beforeAll, describe, expect, it } = await import('vitest');
  const { ZooKeeperClient } = await import('../../framework/index.js');
  const { APACHE_STANDALONE, ZABKIT } = await import('../client/support/backends.js');
  const { FAST, uniquePath } = await import('../client/support/clients.js');
  const specs = backendSpecs ?? [ZABKIT, APACHE_STANDALONE];
  const examples = pages.flatMap((page) => docExamples(page).map((example) => ({ page, example })));
  const work = exampleWorkspace(label);

  describe.each(specs)(`${label} docs examples on $name`, (spec) => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await spec.start();
    });
    afterAll(async () => {
      await backend?.stop();
      await work.remove();
    });

    it.each(pages)('%s has examples with expected output', (page) => {
      const own = examples.filter((e) => e.page === page);
      expect(own.length).toBeGreaterThanOrEqual(1);
      for (const { example } of own) expect(example.expected.length, `example ${example.index}`).toBeGreaterThan(0);
    });

    it.each(examples.map(({ page, example }) => [`${page} #${example.index}`, page, example] as const))(
      '%s prints what the page says',
      async (_name, page, example) => {
        const admin = await ZooKeeperClient.connect(backend.connectString, FAST);
        const chroot = uniquePath(`doc-${label}`);
        try {
          await admin.create(chroot);
        } finally {
          await admin.close();
        }
        const dir = join(work.dir, page.replace(/\W+/g, '-'));
        const printed = await runDocExample(dir, example, `${backend.connectString}${chroot}`);
        expect(printed).toEqual(example.expected);
      },
      60_000,
    );
  });
}
