// sazanami: the public browser API. createEngine() loads the Wasm once; engine.processAudioTrack()
// turns a microphone track into a cleaned one to send. The Node/worklet core is `sazanami/core`.
export { createEngine, Engine, type EngineOptions, type CaptureNodeOptions } from './browser/engine.js';
export { AudioTrackProcessor, type AudioTrackProcessorStats } from './browser/audio-track-processor.js';
export { CaptureNode } from './browser/capture-node.js';
export { type AudioTrackOptions, type FarEndSource, validateAudioTrackOptions } from './browser/audio-track-options.js';
export { isSupported } from './browser/support.js';
export { CAPTURE_PROCESSOR_NAME, FAR_END_INPUT, type CaptureWorkletStats } from '../worklets/capture-protocol.js';
export { CAPTURE_DEFAULTS, type CaptureOptions, ECHO_CANCELLATION_LEVELS, type EchoCancellationLevel, NOISE_SUPPRESSION_LEVELS, type NoiseSuppressionLevel } from './core/options.js';
export { processVideoTrack, VideoTrackProcessor, isVideoProcessingSupported, type VideoTrackConfig, type VideoTrackStats, type VideoProcessingPath } from './browser/video-track-processor.js';
export { type VideoCorrectionOptions, VIDEO_DEFAULTS, validateVideoOptions } from './core/video/video-options.js';
export {
  processReceiver, ReceiverProcessor, type ReceiverOptions, type ReceiverConfig, type ReceiverStats, type ReceiveImpairments, type ReceiveWorkerStats,
} from './browser/receive-processor.js';
export { isReceiverProcessingSupported, type ReceiverProcessingSupport } from './browser/receive-support.js';
export {
  SenderSync, ReceiverSync, type SenderSyncOptions, type SenderSyncStats, type ReceiverSyncOptions, type ReceiverSyncStats,
  SENDER_SYNC_DEFAULTS, RECEIVER_SYNC_DEFAULTS, AUDIO_EARLY_DETECTABLE_MS, AUDIO_LATE_DETECTABLE_MS,
} from './browser/av-sync.js';
export { PLAYOUT_PROCESSOR_NAME } from './browser/receive-protocol.js';
export { type JitterBufferOptions, JITTER_BUFFER_DEFAULTS } from './core/receive/receive-options.js';
export {
  processVideoReceiver, VideoReceiverProcessor, negotiateFrameDependencies, isVideoReceiverProcessingSupported, DEPENDENCY_DESCRIPTOR_URI,
  type VideoReceiverOptions, type VideoReceiverConfig, type VideoReceiverStats, type VideoReceiveWorkerStats,
} from './browser/video-receive-processor.js';
export { FRAME_DEPENDENCY_DEFAULTS, type FrameDependencyOptions, type FrameDependencyStats } from './core/video/frame-dependency-tracker.js';
export {
  CallAttachment, CALL_DEFAULTS, type AttachCallOptions, type CallAudioOptions, type CallReceiveOptions, type CallStats,
  type CallSenderStats, type CallReceiverStats,
} from './browser/call-attachment.js';
export { LOAD_LEVELS, LOAD_CONTROL_DEFAULTS, type LoadLevel, type LoadControlOptions, type LoadStats } from './browser/load-controller.js';
