// @LeaderOnly(electionPath, options): the method runs only while this instance leads the
// election at `electionPath`; otherwise the call fails with NotLeaderError (or, with
// `otherwise: 'skip'`, resolves to undefined without running). Instances join the election when
// their container builds them and leave it when the container is disposed. Inside, the method
// sees its term through currentLeadership() (fencing token, a signal that aborts on loss).
// Counterpart: Curator's LeaderLatch.hasLeadership() checked before running a job.

import { validatePath } from '../../recipes/internal/index.js';
import { declareElection, memberName } from './class-plan.js';
import { scopeOf } from './coordinated.js';
import { NotLeaderError } from './errors.js';
import { runInLeadership } from './leadership-context.js';

export interface LeaderOnlyOptions {
  /** What a call on a non-leader does: 'throw' NotLeaderError (default) or 'skip' (resolve undefined). */
  readonly otherwise?: 'throw' | 'skip';
  /** This instance's participant id in the election. Default `${hostname}:${pid}`. */
  readonly participantId?: string;
}

/**
 * Method decorator for async methods of a @Coordinated() class. Leadership is checked when the
 * call starts; if it is lost while the method runs, currentLeadership().signal aborts (the
 * method is not stopped by force: pass the signal on). Register the class as a singleton:
 * every instance is its own participant.
 */
export function LeaderOnly(electionPath: string, options: LeaderOnlyOptions = {}) {
  const path = validatePath(electionPath);
  return <M extends (...args: any[]) => Promise<any>>(target: object, name: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    const member = memberName(target, name);
    const method = descriptor.value;
    if (typeof method !== 'function') throw new TypeError(`@LeaderOnly decorates methods; ${member} is not one`);
    const otherwise = options.otherwise ?? 'throw';
    if (otherwise !== 'throw' && otherwise !== 'skip') throw new TypeError(`@LeaderOnly on ${member}: otherwise must be 'throw' or 'skip'`);
    declareElection(target.constructor, { path, participantId: options.participantId, hooks: false });

    const guarded = async function (this: object, ...args: unknown[]): Promise<unknown> {
      const leadership = scopeOf(this, member).seat(path)?.current();
      if (!leadership) {
        if (otherwise === 'skip') return undefined;
        throw new NotLeaderError(member, path);
      }
      return runInLeadership(leadership, () => method.apply(this, args));
    };
    Object.defineProperty(guarded, 'name', { value: method.name });
    descriptor.value = guarded as unknown as M;
  };
}
