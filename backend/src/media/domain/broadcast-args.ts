import type { CaptureArgs } from '../../recording/domain/capture-args';

/**
 * FFmpeg's arguments for one run of a class's live broadcast: the scene's RTP streams (one SDP, audio and
 * video each on their own port pair, as the recording capture takes them) decoded and encoded once as
 * H.264 + AAC, packaged as HLS with fragmented-MP4 segments of `segmentSeconds` (a key frame forced at
 * each), which every HLS player and hls.js through MSE play. A missing voice is silence, a missing
 * picture a plain frame, so each run has both tracks. FFmpeg 5's HLS muxer writes no LL-HLS partial
 * segments (EXT-X-PART); short segments keep the delay down instead.
 */
export interface BroadcastArgsInput {
  sdpPath: string;
  hasAudio: boolean;
  hasVideo: boolean;
  /** The run's folder (absolute): `run.m3u8`, `init.mp4`, `seg-00000.m4s`… */
  folder: string;
  segmentSeconds: number;
  listenIp?: string;
}

export const RUN_PLAYLIST = 'run.m3u8';
export const BROADCAST_FPS = 15;
export const BROADCAST_MAX_WIDTH = 1280;

export function broadcastArgs({
  sdpPath,
  hasAudio,
  hasVideo,
  folder,
  segmentSeconds,
  listenIp = '127.0.0.1',
}: BroadcastArgsInput): CaptureArgs {
  const dir = folder.replace(/\/+$/, '');
  const moreInputs: CaptureArgs['moreInputs'] = [];
  // Inputs: 0 is the SDP (the scene's streams); a generated picture or silence follows when one is missing.
  if (!hasVideo)
    moreInputs.push({ input: `color=c=0x1f2933:s=1280x720:r=${BROADCAST_FPS}`, options: ['-re', '-f', 'lavfi'] });
  if (!hasAudio) moreInputs.push({ input: 'anullsrc=r=48000:cl=mono', options: ['-re', '-f', 'lavfi'] });
  const video = hasVideo ? '0:v:0' : '1:v:0';
  const audio = hasAudio ? '0:a:0' : `${hasVideo ? 1 : 2}:a:0`;
  const gop = Math.max(1, Math.round(BROADCAST_FPS * segmentSeconds));
  return {
    inputOptions: [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-localaddr',
      listenIp,
      '-reorder_queue_size',
      '64',
      '-analyzeduration',
      '1000000',
      '-fflags',
      '+genpts+nobuffer',
    ],
    input: sdpPath,
    moreInputs,
    outputOptions: [
      '-map',
      video,
      '-map',
      audio,
      '-vf',
      `fps=${BROADCAST_FPS},scale='min(${BROADCAST_MAX_WIDTH},iw)':-2,format=yuv420p`,
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'main',
      '-g',
      String(gop),
      '-keyint_min',
      String(gop),
      '-sc_threshold',
      '0',
      '-force_key_frames',
      `expr:gte(t,n_forced*${segmentSeconds})`,
      '-b:v',
      '1000k',
      '-maxrate',
      '1200k',
      '-bufsize',
      '1200k',
      '-af',
      'aresample=async=1000',
      '-c:a',
      'aac',
      '-b:a',
      '64k',
      '-ac',
      '1',
      '-ar',
      '48000',
      // Interleaving waits at most half a second for a quiet stream (a voice sending nothing in silence).
      '-max_interleave_delta',
      '500000',
      '-f',
      'hls',
      '-hls_time',
      String(segmentSeconds),
      '-hls_list_size',
      '12',
      '-hls_flags',
      'delete_segments+independent_segments+temp_file',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      `${dir}/seg-%05d.m4s`,
    ],
    output: `${dir}/${RUN_PLAYLIST}`,
  };
}
