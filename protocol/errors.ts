// ZooKeeper's error codes and one KeeperError subclass per code; `errorFromCode` maps a reply's
// err field to a typed error. The server throws these and maps them back to ReplyHeader.err.
// Counterpart: org.apache.zookeeper.KeeperException (Code, getCodeMessage, create).

export const Code = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

const MESSAGES: Record<number, string> = {
  0: 'ok',
  [-1]: 'SystemError',
  [-2]: 'RuntimeInconsistency',
  [-3]: 'DataInconsistency',
  [-4]: 'ConnectionLoss',
  [-5]: 'MarshallingError',
  [-6]: 'Unimplemented',
  [-7]: 'OperationTimeout',
  [-8]: 'BadArguments',
  [-13]: 'NewConfigNoQuorum',
  [-14]: 'ReconfigInProgress',
  [-100]: 'APIError',
  [-101]: 'NoNode',
  [-102]: 'NoAuth',
  [-103]: 'BadVersion',
  [-108]: 'NoChildrenForEphemerals',
  [-110]: 'NodeExists',
  [-111]: 'Directory not empty',
  [-112]: 'Session expired',
  [-113]: 'Invalid callback',
  [-114]: 'InvalidACL',
  [-115]: 'AuthFailed',
  [-118]: 'Session moved',
  [-119]: 'Not a read-only call',
  [-120]: 'Ephemeral node on local session',
  [-121]: 'No such watcher',
  [-123]: 'Reconfig is disabled',
  [-124]: 'Session closed because client failed to authenticate',
  [-125]: 'Quota has exceeded',
  [-127]: 'Op throttled due to high load',
};

/** KeeperException.getCodeMessage. */
export function codeMessage(code: number): string {
  return MESSAGES[code] ?? `Unknown error ${code}`;
}

export class KeeperError extends Error {
  override name = 'KeeperError';
  constructor(
    readonly code: number,
    readonly path?: string,
    options?: ErrorOptions,
  ) {
    super(`KeeperErrorCode = ${codeMessage(code)}${path !== undefined ? ` for ${path}` : ''}`, options);
  }
}

type KeeperErrorClass = new (path?: string, options?: ErrorOptions) => KeeperError;
const BY_CODE = new Map<number, KeeperErrorClass>();

function define(code: Code, name: string): KeeperErrorClass {
  const cls = class extends KeeperError {
    constructor(path?: string, options?: ErrorOptions) {
      super(code, path, options);
      this.name = name;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  BY_CODE.set(code, cls);
  return cls;
}

export const SystemError = define(Code.SYSTEMERROR, 'SystemError');
export type SystemError = KeeperError;
export const RuntimeInconsistencyError = define(Code.RUNTIMEINCONSISTENCY, 'RuntimeInconsistencyError');
export type RuntimeInconsistencyError = KeeperError;
export const DataInconsistencyError = define(Code.DATAINCONSISTENCY, 'DataInconsistencyError');
export type DataInconsistencyError = KeeperError;
export const ConnectionLossError = define(Code.CONNECTIONLOSS, 'ConnectionLossError');
export type ConnectionLossError = KeeperError;
export const MarshallingError = define(Code.MARSHALLINGERROR, 'MarshallingError');
export type MarshallingError = KeeperError;
export const UnimplementedError = define(Code.UNIMPLEMENTED, 'UnimplementedError');
export type UnimplementedError = KeeperError;
export const OperationTimeoutError = define(Code.OPERATIONTIMEOUT, 'OperationTimeoutError');
export type OperationTimeoutError = KeeperError;
export const BadArgumentsError = define(Code.BADARGUMENTS, 'BadArgumentsError');
export type BadArgumentsError = KeeperError;
export const UnknownSessionError = define(Code.UNKNOWNSESSION, 'UnknownSessionError');
export type UnknownSessionError = KeeperError;
export const NewConfigNoQuorumError = define(Code.NEWCONFIGNOQUORUM, 'NewConfigNoQuorumError');
export type NewConfigNoQuorumError = KeeperError;
export const ReconfigInProgressError = define(Code.RECONFIGINPROGRESS, 'ReconfigInProgressError');
export type ReconfigInProgressError = KeeperError;
export const APIError = define(Code.APIERROR, 'APIError');
export type APIError = KeeperError;
export const NoNodeError = define(Code.NONODE, 'NoNodeError');
export type NoNodeError = KeeperError;
export const NoAuthError = define(Code.NOAUTH, 'NoAuthError');
export type NoAuthError = KeeperError;
export const BadVersionError = define(Code.BADVERSION, 'BadVersionError');
export type BadVersionError = KeeperError;
export const NoChildrenForEphemeralsError = define(Code.NOCHILDRENFOREPHEMERALS, 'NoChildrenForEphemeralsError');
export type NoChildrenForEphemeralsError = KeeperError;
export const NodeExistsError = define(Code.NODEEXISTS, 'NodeExistsError');
export type NodeExistsError = KeeperError;
export const NotEmptyError = define(Code.NOTEMPTY, 'NotEmptyError');
export type NotEmptyError = KeeperError;
export const SessionExpiredError = define(Code.SESSIONEXPIRED, 'SessionExpiredError');
export type SessionExpiredError = KeeperError;
export const InvalidCallbackError = define(Code.INVALIDCALLBACK, 'InvalidCallbackError');
export type InvalidCallbackError = KeeperError;
export const InvalidACLError = define(Code.INVALIDACL, 'InvalidACLError');
export type InvalidACLError = KeeperError;
export const AuthFailedError = define(Code.AUTHFAILED, 'AuthFailedError');
export type AuthFailedError = KeeperError;
export const SessionMovedError = define(Code.SESSIONMOVED, 'SessionMovedError');
export type SessionMovedError = KeeperError;
export const NotReadOnlyError = define(Code.NOTREADONLY, 'NotReadOnlyError');
export type NotReadOnlyError = KeeperError;
export const EphemeralOnLocalSessionError = define(Code.EPHEMERALONLOCALSESSION, 'EphemeralOnLocalSessionError');
export type EphemeralOnLocalSessionError = KeeperError;
export const NoWatcherError = define(Code.NOWATCHER, 'NoWatcherError');
export type NoWatcherError = KeeperError;
export const RequestTimeoutError = define(Code.REQUESTTIMEOUT, 'RequestTimeoutError');
export type RequestTimeoutError = KeeperError;
export const ReconfigDisabledError = define(Code.RECONFIGDISABLED, 'ReconfigDisabledError');
export type ReconfigDisabledError = KeeperError;
export const SessionClosedRequireSaslAuthError = define(Code.SESSIONCLOSEDREQUIRESASLAUTH, 'SessionClosedRequireSaslAuthError');
export type SessionClosedRequireSaslAuthError = KeeperError;
export const QuotaExceededError = define(Code.QUOTAEXCEEDED, 'QuotaExceededError');
export type QuotaExceededError = KeeperError;
export const ThrottledError = define(Code.THROTTLEDOP, 'ThrottledError');
export type ThrottledError = KeeperError;

/** KeeperException.create: the typed error for a non-zero code. An unknown code is itself an error. */
export function errorFromCode(code: number, path?: string): KeeperError {
  if (code === Code.OK) throw new RangeError('errorFromCode(0): OK is not an error');
  const cls = BY_CODE.get(code);
  if (!cls) throw new RangeError(`unknown ZooKeeper error code ${code}`);
  return new cls(path);
}

export function isKnownCode(code: number): boolean {
  return code === 0 || BY_CODE.has(code);
}
