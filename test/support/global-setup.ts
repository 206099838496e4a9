// Vitest globalSetup: runs once before any test file. Makes sure the Debian packages that
// provide real Apache ZooKeeper and real clients are installed (installing them as root if
// needed), so a fresh machine needs nothing done by hand.
import { ensureDebianPackages } from './debian-packages.js';

export default async function setup(): Promise<void> {
  await ensureDebianPackages();
}
