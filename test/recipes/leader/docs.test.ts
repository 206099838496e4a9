// Runs every ```ts example of the leader recipe pages against zabkit's server and Apache ZooKeeper 3.8.
import { describeDocPages } from '../../support/doc-examples.js';

await describeDocPages('recipes-leader', ['docs/recipes/leader-latch.md', 'docs/recipes/leader-selector.md']);
