// Runs every ```ts example of docs/decorators.md against zabkit's server and Apache ZooKeeper 3.8
// (see test/support/doc-examples.ts); each example gets a chroot of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from '../../framework/index.js';
import { docExamples, exampleWorkspace, runDocExample } from '../support/doc-examples.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../client/support/backends.js';
import { FAST, uniquePath } from '../client/support/clients.js';

const ALL = docExamples('docs/decorators.md');
const work = exampleWorkspace('decorators');

describe.each([ZABKIT, APACHE_STANDALONE])('docs/decorators.md examples on $name', (spec) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await spec.start();
  });
  afterAll(async () => {
    await backend?.stop();
    await work.remove();
  });

  it('the page has examples with expected output', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(3);
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
    const printed = await runDocExample(work.dir, example, `${backend.connectString}${chroot}`);
    expect(printed).toEqual(example.expected);
  });
});
