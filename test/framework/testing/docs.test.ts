// Runs every ```ts example of docs/testing-utilities.md (see test/support/doc-examples.ts); the
// examples start their own TestingServer, so no backend is needed.
import { afterAll, describe, expect, it } from 'vitest';
import { docExamples, exampleWorkspace, runDocExample } from '../../support/doc-examples.js';

const ALL = docExamples('docs/testing-utilities.md');
const work = exampleWorkspace('testing-utilities');

describe('docs/testing-utilities.md examples', () => {
  afterAll(async () => {
    await work.remove();
  });

  it('the page has examples with expected output', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(5);
    for (const ex of ALL) expect(ex.expected.length, `example ${ex.index}`).toBeGreaterThan(0);
  });

  it.each(ALL.map((ex) => [ex.index, ex] as const))('example %i prints what the page says', async (_i, example) => {
    expect(await runDocExample(work.dir, example, 'unused:2181')).toEqual(example.expected);
  });
});
