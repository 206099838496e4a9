// Runs every ```ts example of docs/client.md against zabkit's server and Apache ZooKeeper 3.8.
import { describeDocPages } from '../support/doc-examples.js';

await describeDocPages('client', ['docs/client.md']);
