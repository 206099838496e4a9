// The one error the jute codec raises: bytes that do not decode as the expected record.
// Callers map it to ZooKeeper's MarshallingError (-5) or to a clean close of the connection.
// Counterpart: the IOExceptions thrown by org.apache.jute.BinaryInputArchive.

export class JuteDecodeError extends Error {
  override readonly name = 'JuteDecodeError';
}
