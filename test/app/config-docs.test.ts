// Runs every ```ts example of docs/config.md against zabkit's server and Apache ZooKeeper 3.8,
// and once more through a proxy that hands the client a notification on its own and the replies
// after it in one read (what a busy client sees now and then): an example that waits for a
// hot stream only after its write returned hangs there every time, not just under load.
import { APACHE_STANDALONE, ZABKIT } from '../client/support/backends.js';
import { behindCoalescingProxy } from '../support/coalescing-proxy.js';
import { describeDocPages } from '../support/doc-examples.js';

await describeDocPages('config', ['docs/config.md'], [ZABKIT, APACHE_STANDALONE, behindCoalescingProxy(ZABKIT)]);
