// Runs every ```ts example of docs/recipes/counters.md against zabkit's server and Apache ZooKeeper 3.8.
import { describeDocPages } from '../../support/doc-examples.js';

await describeDocPages('recipes-counters', ['docs/recipes/counters.md']);
