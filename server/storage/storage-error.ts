// The one error that stops a server from starting on its own data: it names the file and the
// byte offset where the data stopped making sense, so an operator knows where to look.
// Counterpart: the IOExceptions of FileTxnSnapLog.restore ("No snapshot found, but there are
// log entries", "CRC check failed", the ZOOKEEPER-2325 hole checks).

export class StorageError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly offset?: number,
  ) {
    super(file === undefined ? message : `${file}${offset === undefined ? '' : ` at offset ${offset}`}: ${message}`);
    this.name = 'StorageError';
  }
}
