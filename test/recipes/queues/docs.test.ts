// Runs every ```ts example of docs/recipes/queues.md against zabkit's server and Apache ZooKeeper 3.8.
import { describeDocPages } from '../../support/doc-examples.js';

await describeDocPages('recipes-queues', ['docs/recipes/queues.md']);
