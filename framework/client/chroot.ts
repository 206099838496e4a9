// Chroot translation: every path the client sends is prefixed with the chroot, and paths the
// server returns (created names, notifications, getEphemerals) have it stripped.
// Counterpart: ZooKeeper.prependChroot and ClientCnxn's stripChroot.

export class Chroot {
  constructor(readonly prefix: string | undefined) {}

  /** Client path -> server path ("/" maps to the chroot itself). */
  toServer(path: string): string {
    if (this.prefix === undefined) return path;
    return path === '/' ? this.prefix : this.prefix + path;
  }

  /** Server path -> client path; paths outside the chroot are passed through unchanged. */
  toClient(path: string): string {
    const p = this.prefix;
    if (p === undefined) return path;
    if (path === p) return '/';
    if (path.startsWith(p + '/')) return path.slice(p.length);
    return path;
  }
}
