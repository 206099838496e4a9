// What the decorators of a class declare, recorded when the class is defined and read when an
// instance is built: the elections its instances join (from @LeaderOnly methods and
// @LeadershipHooks), per class, merged along the class chain.
// Counterpart: the metadata Spring keeps per bean class for its @Scheduled / @Transactional.

/** One election an instance joins. */
export interface ElectionDeclaration {
  /** The election's znode path (the LeaderLatch path). */
  readonly path: string;
  /** The participant id written to the node. Default: `${hostname}:${pid}`. */
  readonly participantId?: string;
  /** The class's onLeadershipGained / onLeadershipLost hooks follow this election. */
  readonly hooks: boolean;
}

const DECLARED = new WeakMap<Function, Map<string, ElectionDeclaration>>();

/** Records that instances of `ctor` join `declaration.path` (merging with what is already declared for it). */
export function declareElection(ctor: Function, declaration: ElectionDeclaration): void {
  let elections = DECLARED.get(ctor);
  if (!elections) DECLARED.set(ctor, (elections = new Map()));
  const known = elections.get(declaration.path);
  if (known && known.participantId !== undefined && declaration.participantId !== undefined && known.participantId !== declaration.participantId) {
    throw new TypeError(`${ctor.name} declares the election ${declaration.path} with two participant ids`);
  }
  elections.set(declaration.path, {
    path: declaration.path,
    participantId: declaration.participantId ?? known?.participantId,
    hooks: declaration.hooks || (known?.hooks ?? false),
  });
}

/** The elections of `ctor` and its base classes (a subclass's declaration of a path wins). */
export function electionsOf(ctor: Function): Map<string, ElectionDeclaration> {
  const out = new Map<string, ElectionDeclaration>();
  for (let c: unknown = ctor; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    for (const [path, d] of DECLARED.get(c as Function) ?? []) if (!out.has(path)) out.set(path, d);
  }
  return out;
}

/** 'Class.method' for messages. */
export function memberName(target: object, name: string | symbol): string {
  const ctor = typeof target === 'function' ? target : (target as { constructor?: Function }).constructor;
  return `${ctor?.name ?? 'anonymous'}.${String(name)}`;
}
