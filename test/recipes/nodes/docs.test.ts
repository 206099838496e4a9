// Runs every ```ts example of the node recipe pages against zabkit's server and Apache ZooKeeper 3.8.
import { describeDocPages } from '../../support/doc-examples.js';

await describeDocPages('recipes-nodes', ['docs/recipes/persistent-node.md', 'docs/recipes/group-member.md']);
