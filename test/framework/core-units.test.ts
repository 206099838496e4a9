// Pure pieces of the framework, without a server: namespace paths, the path ACL provider,
// protected names, gzip compression, option validation and the lifecycle rules.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  BadArgumentsError, ClientClosedError, GzipCompressionProvider, isProtectedName, normalizeProtectedName,
  normalizeProtectedPath, OPEN_ACL_UNSAFE, PathAclProvider, protectedIdOf, READ_ACL_UNSAFE, ZooKeeperFramework,
  CREATOR_ALL_ACL,
} from '../../framework/index.js';
import { aclFor } from '../../framework/core/acl-provider.js';
import { Namespace } from '../../framework/core/namespace.js';
import { findProtectedChild, toProtectedPath } from '../../framework/ops/protection.js';

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('Namespace', () => {
  const ns = new Namespace('app/v1', async () => undefined);

  it('prefixes paths and strips the prefix only at a path boundary', () => {
    expect(ns.root).toBe('/app/v1');
    expect(ns.fix('/')).toBe('/app/v1');
    expect(ns.fix('/a/b')).toBe('/app/v1/a/b');
    expect(ns.fix('/queue/')).toBe('/app/v1/queue/'); // sequential creates keep the trailing slash
    expect(ns.unfix('/app/v1')).toBe('/');
    expect(ns.unfix('/app/v1/a')).toBe('/a');
    expect(ns.unfix('/app/v10/a')).toBe('/app/v10/a');
    expect(ns.unfix('/other')).toBe('/other');
  });

  it('no namespace leaves paths alone; an invalid one is refused', () => {
    const none = new Namespace(undefined, async () => undefined);
    expect(none.fix('/a')).toBe('/a');
    expect(none.unfix('/a')).toBe('/a');
    expect(new Namespace('', async () => undefined).root).toBeUndefined();
    expect(() => new Namespace('a//b', async () => undefined)).toThrow(BadArgumentsError);
    expect(() => new Namespace('zookeeper/..', async () => undefined)).toThrow(BadArgumentsError);
  });

  it('creates the namespace node once, again after a failure, and reports the failure', async () => {
    let calls = 0;
    let fail = true;
    const errors: unknown[] = [];
    const created = new Namespace('x', async () => {
      calls++;
      if (fail) throw new Error('no quorum');
    });
    await created.ensure((e) => errors.push(e));
    expect(errors).toHaveLength(1);
    fail = false;
    await Promise.all([created.ensure((e) => errors.push(e)), created.ensure((e) => errors.push(e))]);
    expect(calls).toBe(2);
    expect(created.ensure(() => undefined)).toBeUndefined();
  });

  it('wraps a watcher once, with namespace-free event paths', () => {
    const seen: string[] = [];
    const watcher = (e: { path: string }): void => void seen.push(e.path);
    const wrapped = ns.wrap(watcher);
    expect(ns.wrap(watcher)).toBe(wrapped);
    expect(ns.wrapperOf(watcher)).toBe(wrapped);
    wrapped({ type: 3, state: 3, path: '/app/v1/cfg', zxid: 1n });
    expect(seen).toEqual(['/cfg']);
  });
});

describe('PathAclProvider', () => {
  const provider = new PathAclProvider(OPEN_ACL_UNSAFE, { '/secure': CREATOR_ALL_ACL, '/secure/public': READ_ACL_UNSAFE });

  it('uses the closest configured ancestor, else the default', () => {
    expect(provider.getAclForPath('/secure')).toBe(CREATOR_ALL_ACL);
    expect(provider.getAclForPath('/secure/a/b')).toBe(CREATOR_ALL_ACL);
    expect(provider.getAclForPath('/secure/public/x')).toBe(READ_ACL_UNSAFE);
    expect(provider.getAclForPath('/securely')).toBeUndefined();
    expect(aclFor(provider, '/other')).toBe(OPEN_ACL_UNSAFE);
    expect(aclFor(provider, '/secure/a', READ_ACL_UNSAFE)).toBe(READ_ACL_UNSAFE);
  });

  it('refuses empty ACLs', () => {
    expect(() => new PathAclProvider([])).toThrow(RangeError);
    expect(() => new PathAclProvider(OPEN_ACL_UNSAFE, { '/a': [] })).toThrow(RangeError);
  });
});

describe('protected names (Curator layout)', () => {
  it('prefixes the last path component with _c_<uuid>-', () => {
    expect(toProtectedPath('/locks/lock-', UUID)).toBe(`/locks/_c_${UUID}-lock-`);
    expect(toProtectedPath('/queue/', UUID)).toBe(`/queue/_c_${UUID}-`);
    expect(toProtectedPath('/top', UUID)).toBe(`/_c_${UUID}-top`);
  });

  it('recognises, normalizes and finds protected names', () => {
    const name = `_c_${UUID}-lock-0000000007`;
    expect(isProtectedName(name)).toBe(true);
    expect(protectedIdOf(name)).toBe(UUID);
    expect(normalizeProtectedName(name)).toBe('lock-0000000007');
    expect(normalizeProtectedPath(`/locks/${name}`)).toBe('/locks/lock-0000000007');
    expect(normalizeProtectedPath('/locks/lock-1')).toBe('/locks/lock-1');
    expect(isProtectedName(`_c_${UUID}-`)).toBe(false); // nothing after the prefix
    expect(isProtectedName(`_c_${UUID.replace('a', 'z')}-x`)).toBe(false);
    expect(findProtectedChild(['a', name, 'b'], '/locks', UUID)).toBe(`/locks/${name}`);
    expect(findProtectedChild(['a', 'b'], '/locks', UUID)).toBeUndefined();
  });
});

describe('GzipCompressionProvider', () => {
  it('round-trips and writes real gzip', () => {
    const gzip = new GzipCompressionProvider();
    const data = Buffer.from('hello '.repeat(100));
    const packed = gzip.compress('/p', data);
    expect(gunzipSync(packed)).toEqual(data);
    expect(gzip.decompress('/p', packed)).toEqual(data);
    expect(() => gzip.decompress('/p', Buffer.from('not gzip'))).toThrow();
  });
});

describe('ZooKeeperFramework options and lifecycle', () => {
  it('validates its options', () => {
    expect(() => new ZooKeeperFramework({ connectString: '' })).toThrow(TypeError);
    expect(() => new ZooKeeperFramework({ connectString: '127.0.0.1:1', sessionTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => new ZooKeeperFramework({ connectString: '127.0.0.1:1', connectionTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => new ZooKeeperFramework({ connectString: '127.0.0.1:1', simulatedSessionExpirationPercent: 150 })).toThrow(RangeError);
  });

  it('refuses operations before start and after close; starts once', async () => {
    const fw = new ZooKeeperFramework({ connectString: '127.0.0.1:1' });
    expect(fw.lifecycle).toBe('latent');
    await expect(fw.getData('/a')).rejects.toThrow(/not been started/);
    await expect(fw.create('/a')).rejects.toThrow(/not been started/);
    expect(() => fw.client).toThrow(/not been started/);
    await fw.close();
    expect(fw.lifecycle).toBe('stopped');
    expect(() => fw.start()).toThrow(/stopped/);
    await expect(fw.exists('/a')).rejects.toBeInstanceOf(ClientClosedError);
    await expect(fw.delete('/a')).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('a connect string the client refuses leaves the framework latent', () => {
    const fw = new ZooKeeperFramework({ connectString: 'no-port-here:notaport' });
    expect(() => fw.start()).toThrow();
    expect(fw.lifecycle).toBe('latent');
  });

  it('an operation waiting for a connection ends with ClientClosedError when the framework closes', async () => {
    const fw = ZooKeeperFramework.start({ connectString: '127.0.0.1:1', client: { reconnectDelayMs: 10, spinDelayMs: 10 } });
    const pending = fw.getData('/a').catch((e: unknown) => e);
    const view = fw.usingNamespace('ns');
    expect(() => view.start()).toThrow(/namespace view/);
    await fw.close();
    expect(await pending).toBeInstanceOf(ClientClosedError);
    expect(await fw.blockUntilConnected()).toBe(false);
  });
});
