// Runs every ```ts example of the nodes recipe pages against zabkit's server and Apache ZooKeeper
// 3.8 (see test/support/doc-examples.ts); each example gets a chroot of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from '../../../framework/index.js';
import { docExamples, exampleWorkspace, runDocExample } from '../../support/doc-examples.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { FAST, uniquePath } from '../../client/support/clients.js';

const PAGES = ['docs/recipes/persistent-node.md', 'docs/recipes/group-member.md'];
const EXAMPLES = PAGES.flatMap((page) => docExamples(page).map((example) => ({ page, example })));
const work = exampleWorkspace('recipes-nodes');

describe.each([ZABKIT, APACHE_STANDALONE])('nodes recipe docs examples on $name', (spec) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await spec.start();
  });
  afterAll(async () => {
    await backend?.stop();
    await work.remove();
  });

  it.each(PAGES)('%s has examples with expected output', (page) => {
    const examples = EXAMPLES.filter((e) => e.page === page);
    expect(examples.length).toBeGreaterThanOrEqual(1);
    for (const { example } of examples) expect(example.expected.length, `example ${example.index}`).toBeGreaterThan(0);
  });

  it.each(EXAMPLES.map(({ page, example }) => [`${page} #${example.index}`, page, example] as const))(
    '%s prints what the page says',
    async (_name, page, example) => {
      const admin = await ZooKeeperClient.connect(backend.connectString, FAST);
      const chroot = uniquePath('doc-nodes');
      try {
        await admin.create(chroot);
      } finally {
        await admin.close();
      }
      const label = page.replace(/\W+/g, '-');
      const printed = await runDocExample(`${work.dir}/${label}`, example, `${backend.connectString}${chroot}`);
      expect(printed).toEqual(example.expected);
    },
    60_000,
  );
});
