// Receive path core (Node, workers): the jitter buffer + time stretching + concealment chain, the
// stand-alone concealer, options, packet traces and the offline receiver simulation.
export { ReceiveChain, type ReceiveChainConfig, type ReceiveStats, RECEIVE_MAX_PACKET_MS, RECEIVE_MAX_SAMPLE_RATE_HZ, RECEIVE_MIN_SAMPLE_RATE_HZ } from './receive-chain.js';
export { Concealer, concealSignal } from './concealer.js';
export { type JitterBufferOptions, type JitterBufferSettings, JITTER_BUFFER_DEFAULTS, validateJitterBufferOptions } from './receive-options.js';
export { type ReceiveExports, type PutStatus, type PullStatus, type ConcealStatus, hasReceiveExports } from './receive-exports.js';
export {
  type TraceRow, TraceError, parseTrace, formatTrace, generateTrace, NETWORK_PROFILES, NETWORK_PROFILE_NAMES, type NetworkProfile,
  type GilbertElliott, type DelayModel, TRACE_HEADER, DEFAULT_PACKET_MS, seededUniform,
} from './network-trace.js';
export { simulateReceive, packetCountFor, type SimulationResult } from './simulate.js';
export { FloatRingBuffer, RING_MAX_CAPACITY } from './ring-buffer.js';
