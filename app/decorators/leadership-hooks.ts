// @LeadershipHooks(electionPath, options): a class decorator for services that do something for
// as long as they lead — each instance joins the election when its container builds it, and its
// onLeadershipGained(signal, leadership) / onLeadershipLost(error) methods are called as
// leadership comes and goes (one at a time, in order), until the container disposes it.
// Implies @Coordinated(). Counterpart: Curator's LeaderLatch with a LeaderLatchListener.

import { validatePath } from '../../recipes/internal/index.js';
import { declareElection } from './class-plan.js';
import { coordinate, makeDisposable } from './coordinated.js';
import type { LeadershipHooksTarget } from './election-seat.js';

export interface LeadershipHooksOptions {
  /** This instance's participant id in the election. Default `${hostname}:${pid}`. */
  readonly participantId?: string;
}

type HookedClass = abstract new (...args: any[]) => LeadershipHooksTarget;

/**
 * Class decorator. The class should have onLeadershipGained and may have onLeadershipLost (see
 * LeadershipHooksTarget). A failing hook is reported with process.emitWarning; the election
 * goes on. Register the class as a singleton: every instance is its own participant.
 */
export function LeadershipHooks(electionPath: string, options: LeadershipHooksOptions = {}) {
  const path = validatePath(electionPath);
  return <C extends HookedClass>(target: C): C => {
    const hasHook = (name: keyof LeadershipHooksTarget): boolean => typeof (target.prototype as LeadershipHooksTarget)[name] === 'function';
    if (!hasHook('onLeadershipGained') && !hasHook('onLeadershipLost')) {
      throw new TypeError(`@LeadershipHooks on ${target.name}: the class has neither onLeadershipGained nor onLeadershipLost`);
    }
    const coordinated = coordinate(target);
    declareElection(coordinated, { path, participantId: options.participantId, hooks: true });
    makeDisposable(coordinated);
    return coordinated;
  };
}
