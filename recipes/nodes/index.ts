// zabkit/recipes nodes: nodes that stay in ZooKeeper (PersistentNode, PersistentTtlNode) and group
// membership built on them (GroupMember). Counterpart: Curator's framework.recipes.nodes package.
export { PersistentNode, type PersistentNodeOptions } from './persistent-node.js';
export {
  PersistentTtlNode, type PersistentTtlNodeOptions, DEFAULT_TOUCH_CHILD_NAME, DEFAULT_TOUCH_SCHEDULE_FACTOR,
} from './persistent-ttl-node.js';
export { type NodeBytes } from './node-bytes.js';
export { GroupMember, type GroupMemberOptions, type GroupMembers } from './group-member.js';
