// The public face of protocol/: the wire contract shared by zabkit's server and client.
export * from './jute/schema.js';
export { JuteReader } from './jute/reader.js';
export { JuteWriter } from './jute/writer.js';
export { JuteDecodeError } from './jute/errors.js';
export * from './records.js';
export * from './multi.js';
export * from './ops.js';
export * from './errors.js';
export * from './types.js';
export * from './handshake.js';
export * from './framing.js';
export * from './paths.js';
export * from './zxid.js';
export * from './frames.js';
export * from './quorum.js';
