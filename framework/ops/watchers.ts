// Persistent and persistent-recursive watches as Observables: subscribing adds the watch,
// unsubscribing removes it from the server. The client re-arms it after a reconnect within the
// session; after the session is lost the watch is added again on the new session (events in
// between are missed — LOST on the state stream says so). Event paths are namespace-free. The
// Observable completes when the framework closes (the session's watches end with it).
// Counterpart: Curator's PersistentWatcher recipe and the addWatch / watchers().remove builders.

import { Observable } from 'rxjs';
import { AddWatchMode, EventType, WatcherType } from '../../protocol/index.js';
import type { Watcher, WatchedEvent } from '../client/events.js';
import type { ZooKeeperClient } from '../client/zookeeper-client.js';
import { runOp, type OpContext } from '../core/op-context.js';
import { isConnectedState } from '../state/connection-state.js';

export interface PersistentWatchOptions {
  /** Watch the whole subtree (PERSISTENT_RECURSIVE: no NodeChildrenChanged events). Default false. */
  recursive?: boolean;
}

export function persistentWatch(ctx: OpContext, path: string, options: PersistentWatchOptions = {}): Observable<WatchedEvent> {
  const mode = options.recursive ? AddWatchMode.PERSISTENT_RECURSIVE : AddWatchMode.PERSISTENT;
  return new Observable<WatchedEvent>((subscriber) => {
    const core = ctx.core;
    const serverPath = ctx.namespace.fix(path);
    const watcher: Watcher = (event) => {
      if (event.type === EventType.PersistentWatchRemoved) return;
      subscriber.next({ ...event, path: ctx.namespace.unfix(event.path) });
    };
    let active = true;
    let armedOn: ZooKeeperClient | undefined;
    let arming: ZooKeeperClient | undefined;

    const arm = (): void => {
      if (!active || core.lifecycle !== 'started') return;
      const target = core.holder.current;
      if (armedOn === target || arming === target) return;
      arming = target;
      void runOp(ctx, async (client) => {
        await client.addWatch(serverPath, mode, watcher);
        return client;
      }).then(
          (client) => {
            if (arming === target) arming = undefined;
            if (!active) {
              void removeFrom(client);
              return;
            }
            armedOn = client;
            if (client !== core.holder.current) arm();
          },
          (e: unknown) => {
            if (arming === target) arming = undefined;
            if (active) subscriber.error(e);
          },
        );
    };

    const removeFrom = async (client: ZooKeeperClient): Promise<void> => {
      if (!client.isConnected && client.phase !== 'connecting') return;
      try {
        await client.removeWatches(serverPath, WatcherType.Any, { watcher, local: true });
      } catch {
        // already gone (session over, or removed with the node's session): nothing to undo
      }
    };

    // Re-arm on every connection of a new session; complete when the framework closes.
    const states = core.states.state$.subscribe({
      next: (state) => {
        if (isConnectedState(state)) arm();
      },
      complete: () => {
        active = false;
        subscriber.complete();
      },
    });
    arm();
    return () => {
      active = false;
      states.unsubscribe();
      if (armedOn) void removeFrom(armedOn);
    };
  });
}
