// Runs every ```ts example of docs/recipes/barriers.md against zabkit's server and Apache ZooKeeper 3.8.
import { describeDocPages } from '../../support/doc-examples.js';

await describeDocPages('recipes-barriers', ['docs/recipes/barriers.md']);
