/**
 * FFmpeg's arguments for one capture run (the format is written down in
 * migrations/1796370000000-create-recording-capture.ts): the producer's RTP, described by an SDP file,
 * copied as it is (no decoding, no encoding: the live host spends almost no CPU on it) into Matroska
 * segments of about `segmentSeconds` each, with FFmpeg's CSV segment list beside them. A segment is
 * closed (and listed) as the next one starts, so a crash loses at most the segment being written.
 * Video is cut on key frames only; the capture asks the sender for one every segment.
 */
export interface CaptureArgsInput {
  /** The SDP file FFmpeg reads (absolute). */
  sdpPath: string;
  /** The run's folder (absolute): segments `seg-00000.mkv`… and `list.csv`. */
  folder: string;
  segmentSeconds: number;
  /** Where FFmpeg listens (loopback). */
  listenIp?: string;
}

export interface CaptureArgs {
  inputOptions: string[];
  input: string;
  /** Further inputs after the first (the live broadcast's generated picture or silence). */
  moreInputs?: Array<{ input: string; options: string[] }>;
  outputOptions: string[];
  output: string;
}

export const SEGMENT_LIST = 'list.csv';
export const SEGMENT_PATTERN = 'seg-%05d.mkv';

export function captureArgs({
  sdpPath,
  folder,
  segmentSeconds,
  listenIp = '127.0.0.1',
}: CaptureArgsInput): CaptureArgs {
  const dir = folder.replace(/\/+$/, '');
  return {
    inputOptions: [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-threads',
      '1',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-localaddr',
      listenIp,
      // RTP over loopback barely reorders; a small queue keeps the latency to disk low.
      '-reorder_queue_size',
      '64',
      '-analyzeduration',
      '2000000',
    ],
    input: sdpPath,
    outputOptions: [
      '-map',
      '0',
      '-c',
      'copy',
      '-threads',
      '1',
      '-f',
      'segment',
      '-segment_time',
      String(segmentSeconds),
      '-segment_format',
      'matroska',
      '-segment_list',
      `${dir}/${SEGMENT_LIST}`,
      '-segment_list_type',
      'csv',
    ],
    output: `${dir}/${SEGMENT_PATTERN}`,
  };
}

/** The whole command line as fluent-ffmpeg passes it (inputs first, then `-y` for a file output, then the output). */
export function captureCommandLine(args: CaptureArgs): string[] {
  return [...args.inputOptions, '-i', args.input, '-y', ...args.outputOptions, args.output];
}
