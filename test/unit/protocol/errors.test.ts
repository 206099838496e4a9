// KeeperError codes, classes and messages (protocol.md §5).

import { describe, expect, it } from 'vitest';
import * as E from '../../../protocol/errors.js';

/** protocol.md §5: code, Code key, class, message text. */
const TABLE: [number, keyof typeof E.Code, unknown, string][] = [
  [-1, 'SYSTEMERROR', E.SystemError, 'SystemError'],
  [-2, 'RUNTIMEINCONSISTENCY', E.RuntimeInconsistencyError, 'RuntimeInconsistency'],
  [-3, 'DATAINCONSISTENCY', E.DataInconsistencyError, 'DataInconsistency'],
  [-4, 'CONNECTIONLOSS', E.ConnectionLossError, 'ConnectionLoss'],
  [-5, 'MARSHALLINGERROR', E.MarshallingError, 'MarshallingError'],
  [-6, 'UNIMPLEMENTED', E.UnimplementedError, 'Unimplemented'],
  [-7, 'OPERATIONTIMEOUT', E.OperationTimeoutError, 'OperationTimeout'],
  [-8, 'BADARGUMENTS', E.BadArgumentsError, 'BadArguments'],
  [-12, 'UNKNOWNSESSION', E.UnknownSessionError, 'Unknown error -12'],
  [-13, 'NEWCONFIGNOQUORUM', E.NewConfigNoQuorumError, 'NewConfigNoQuorum'],
  [-14, 'RECONFIGINPROGRESS', E.ReconfigInProgressError, 'ReconfigInProgress'],
  [-100, 'APIERROR', E.APIError, 'APIError'],
  [-101, 'NONODE', E.NoNodeError, 'NoNode'],
  [-102, 'NOAUTH', E.NoAuthError, 'NoAuth'],
  [-103, 'BADVERSION', E.BadVersionError, 'BadVersion'],
  [-108, 'NOCHILDRENFOREPHEMERALS', E.NoChildrenForEphemeralsError, 'NoChildrenForEphemerals'],
  [-110, 'NODEEXISTS', E.NodeExistsError, 'NodeExists'],
  [-111, 'NOTEMPTY', E.NotEmptyError, 'Directory not empty'],
  [-112, 'SESSIONEXPIRED', E.SessionExpiredError, 'Session expired'],
  [-113, 'INVALIDCALLBACK', E.InvalidCallbackError, 'Invalid callback'],
  [-114, 'INVALIDACL', E.InvalidACLError, 'InvalidACL'],
  [-115, 'AUTHFAILED', E.AuthFailedError, 'AuthFailed'],
  [-118, 'SESSIONMOVED', E.SessionMovedError, 'Session moved'],
  [-119, 'NOTREADONLY', E.NotReadOnlyError, 'Not a read-only call'],
  [-120, 'EPHEMERALONLOCALSESSION', E.EphemeralOnLocalSessionError, 'Ephemeral node on local session'],
  [-121, 'NOWATCHER', E.NoWatcherError, 'No such watcher'],
  [-122, 'REQUESTTIMEOUT', E.RequestTimeoutError, 'Unknown error -122'],
  [-123, 'RECONFIGDISABLED', E.ReconfigDisabledError, 'Reconfig is disabled'],
  [-124, 'SESSIONCLOSEDREQUIRESASLAUTH', E.SessionClosedRequireSaslAuthError, 'Session closed because client failed to authenticate'],
  [-125, 'QUOTAEXCEEDED', E.QuotaExceededError, 'Quota has exceeded'],
  [-127, 'THROTTLEDOP', E.ThrottledError, 'Op throttled due to high load'],
];

/** The export name of each class, which is also the error's `name`. */
function exportName(cls: unknown): string {
  const entry = Object.entries(E).find(([, v]) => v === cls);
  if (!entry) throw new Error('class not exported');
  return entry[0];
}

describe('error codes', () => {
  it('Code holds OK and every code of §5', () => {
    expect(E.Code.OK).toBe(0);
    const expected = Object.fromEntries([['OK', 0], ...TABLE.map(([code, key]) => [key, code])]);
    expect({ ...E.Code }).toEqual(expected);
  });

  it('codeMessage gives KeeperException.getCodeMessage text', () => {
    expect(E.codeMessage(0)).toBe('ok');
    for (const [code, , , msg] of TABLE) expect(E.codeMessage(code)).toBe(msg);
    expect(E.codeMessage(-126)).toBe('Unknown error -126');
    expect(E.codeMessage(42)).toBe('Unknown error 42');
  });

  it('isKnownCode', () => {
    expect(E.isKnownCode(0)).toBe(true);
    for (const [code] of TABLE) expect(E.isKnownCode(code)).toBe(true);
    for (const code of [-9, -126, -128, 1, -1000]) expect(E.isKnownCode(code)).toBe(false);
  });
});

describe('errorFromCode', () => {
  it.each(TABLE)('%i %s', (code, _key, cls, msg) => {
    const withPath = E.errorFromCode(code, '/a');
    expect(withPath).toBeInstanceOf(cls as new () => E.KeeperError);
    expect(withPath).toBeInstanceOf(E.KeeperError);
    expect(withPath).toBeInstanceOf(Error);
    expect(withPath.code).toBe(code);
    expect(withPath.path).toBe('/a');
    expect(withPath.message).toBe(`KeeperErrorCode = ${msg} for /a`);
    expect(withPath.name).toBe(exportName(cls));
    expect((cls as { name: string }).name).toBe(exportName(cls));

    const noPath = E.errorFromCode(code);
    expect(noPath.path).toBeUndefined();
    expect(noPath.message).toBe(`KeeperErrorCode = ${msg}`);
    expect(noPath.constructor).toBe(cls);
  });

  it('gives distinct classes for distinct codes', () => {
    const classes = TABLE.map(([code]) => E.errorFromCode(code).constructor);
    expect(new Set(classes).size).toBe(TABLE.length);
  });

  it('the NoNode example from Java', () => {
    const e = E.errorFromCode(E.Code.NONODE, '/a');
    expect(e.message).toBe('KeeperErrorCode = NoNode for /a');
    expect(e.name).toBe('NoNodeError');
    expect(String(e)).toBe('NoNodeError: KeeperErrorCode = NoNode for /a');
  });

  it('an empty path is still appended', () => {
    expect(E.errorFromCode(-101, '').message).toBe('KeeperErrorCode = NoNode for ');
  });

  it.each([0, -9, -126, -128, 1, 101])('code %i throws', (code) => {
    expect(() => E.errorFromCode(code)).toThrow(RangeError);
  });

  it('subclasses accept a cause', () => {
    const cause = new Error('io');
    const e = new E.ConnectionLossError(undefined, { cause });
    expect(e.cause).toBe(cause);
    expect(e.code).toBe(-4);
    expect(e.name).toBe('ConnectionLossError');
  });

  it('the base class can carry any code', () => {
    const e = new E.KeeperError(-101, '/x');
    expect(e.name).toBe('KeeperError');
    expect(e.message).toBe('KeeperErrorCode = NoNode for /x');
    expect(e).not.toBeInstanceOf(E.NoNodeError);
  });
});
