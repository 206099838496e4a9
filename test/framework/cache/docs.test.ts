// Runs every ```ts example of docs/caches.md against zabkit's server and Apache ZooKeeper 3.8.
import { describeDocPages } from '../../support/doc-examples.js';

await describeDocPages('caches', ['docs/caches.md']);
