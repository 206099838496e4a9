// Runs every ```ts example of docs/client.md against zabkit's server and Apache ZooKeeper 3.8:
// each block becomes a module (its imports kept, 'zabkit/framework' pointed at the source, the
// rest wrapped in a function given `connectString`), and what it prints with console.log must
// equal its `// → ` comments, in order. Each example gets a chroot of its own.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from '../../framework/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from './support/backends.js';
import { FAST, uniquePath } from './support/clients.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = join(ROOT, 'docs/client.md');
// Inside the tree so the test transform applies and bare imports (rxjs) resolve; removed afterwards.
const WORK = join(ROOT, 'test/client', `.doc-examples-${process.pid}`);

interface Example {
  readonly index: number;
  readonly code: string;
  readonly expected: string[];
}

function examples(): Example[] {
  const text = readFileSync(DOC, 'utf8');
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.map((code, index) => ({
    index,
    code,
    expected: [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1]!.trimEnd()),
  }));
}

async function moduleFor(example: Example): Promise<string> {
  const file = join(WORK, `example-${example.index}.ts`);
  const framework = relative(dirname(file), join(ROOT, 'framework/index.js'));
  const imports: string[] = [];
  const body: string[] = [];
  for (const line of example.code.split('\n')) {
    if (/^import .* from '[^']+';$/.test(line)) imports.push(line.replace("'zabkit/framework'", `'${framework}'`));
    else body.push(line.replace(/console\.log\(/g, '__log('));
  }
  const source = [
    ...imports,
    'export default async function run(connectString: string, __log: (...args: unknown[]) => void): Promise<void> {',
    ...body.map((l) => `  ${l}`),
    '}',
    '',
  ].join('\n');
  await writeFile(file, source);
  return file;
}

const ALL = examples();

describe.each([ZABKIT, APACHE_STANDALONE])('docs/client.md examples on $name', (spec) => {
  let backend: Backend;
  beforeAll(async () => {
    await mkdir(WORK, { recursive: true });
    backend = await spec.start();
  });
  afterAll(async () => {
    await backend?.stop();
    await rm(WORK, { recursive: true, force: true });
  });

  it('the page has examples with expected output', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(4);
    for (const ex of ALL) expect(ex.expected.length, `example ${ex.index}`).toBeGreaterThan(0);
  });

  it.each(ALL.map((ex) => [ex.index, ex] as const))('example %i prints what the page says', async (_i, example) => {
    const admin = await ZooKeeperClient.connect(backend.connectString, FAST);
    const chroot = uniquePath('doc');
    try {
      await admin.create(chroot);
    } finally {
      await admin.close();
    }
    const file = await moduleFor(example);
    const mod = (await import(file)) as { default: (cs: string, log: (...a: unknown[]) => void) => Promise<void> };
    const printed: string[] = [];
    await mod.default(`${backend.connectString}${chroot}`, (...args) => printed.push(format(...args)));
    expect(printed).toEqual(example.expected);
  });
});
