// Runs every ```ts example of docs/framework.md against zabkit's server and Apache ZooKeeper 3.8.
import { describeDocPages } from '../support/doc-examples.js';

await describeDocPages('framework', ['docs/framework.md']);
