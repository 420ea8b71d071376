// A live HLS stream built the way Lectern's broadcaster takes one from the SFU (issue 21): a camera's
// VP8 goes into a mediasoup router (the real worker, Lectern's router codecs), a PlainTransport consumer
// hands the RTP to FFmpeg over loopback (an SDP file, as recording capture does), FFmpeg transcodes to
// H.264 and writes short fMP4 segments and a live playlist as plain files.
//
// The "camera" is FFmpeg encoding frames that this process paints with the frame clock (the time each
// frame is painted, on this machine's clock), so a viewer reading the barcode measures glass to glass:
// paint -> VP8 encode -> SFU -> FFmpeg decode + H.264 encode -> segment on disk -> HTTP -> player.
//
// This stands in for the hls engineer's broadcaster until it is on main; the FFmpeg packaging arguments
// are this file's (`packagerArgs`), not Lectern's.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { frameClock } from './frame-clock.mjs';

const require = createRequire(import.meta.url);

/** Two free consecutive UDP ports, the first even (FFmpeg reads RTP on p and RTCP on p + 1). */
async function udpPortPair() {
  for (let i = 0; i < 50; i++) {
    const p = 20000 + 2 * Math.floor(Math.random() * 10000);
    const socks = [];
    try {
      for (const port of [p, p + 1]) {
        const s = dgram.createSocket('udp4');
        await new Promise((resolve, reject) => {
          s.once('error', reject);
          s.bind(port, '127.0.0.1', resolve);
        });
        socks.push(s);
      }
      return p;
    } catch {
      /* taken: try another pair */
    } finally {
      for (const s of socks) s.close();
    }
  }
  throw new Error('no free UDP port pair');
}

/** FFmpeg's packaging: RTP (SDP) in, H.264 in fMP4 segments of `segmentSeconds` and a live playlist out. */
export function packagerArgs({ sdpPath, dir, fps, segmentSeconds, listSize }) {
  const gop = String(Math.round(fps * segmentSeconds));
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-protocol_whitelist',
    'file,udp,rtp',
    '-fflags',
    'nobuffer',
    '-flags',
    'low_delay',
    '-reorder_queue_size',
    '64',
    '-analyzeduration',
    '500000',
    '-i',
    sdpPath,
    '-map',
    '0:v',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-tune',
    'zerolatency',
    '-profile:v',
    'main',
    '-pix_fmt',
    'yuv420p',
    '-b:v',
    '1000k',
    '-maxrate',
    '1000k',
    '-bufsize',
    '1000k',
    '-g',
    gop,
    '-keyint_min',
    gop,
    '-sc_threshold',
    '0',
    '-threads',
    '1',
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    '-hls_list_size',
    String(listSize),
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    'init.mp4',
    '-hls_flags',
    'delete_segments+independent_segments+temp_file+program_date_time',
    '-hls_segment_filename',
    path.join(dir, 'seg-%05d.m4s'),
    path.join(dir, 'live.m3u8'),
  ];
}

/**
 * Starts the whole pipeline; resolves once the playlist lists a segment. `close()` stops it all.
 * `root` is the repository (for the built router codecs).
 */
export async function startHlsPipeline({
  root,
  dir,
  width = 640,
  height = 360,
  fps = 30,
  segmentSeconds = 1,
  listSize = 6,
  log = () => {},
}) {
  const mediasoup = require('mediasoup');
  const { routerCodecs } = require(path.join(root, 'dist/backend/src/media/domain/codecs.js'));
  fs.mkdirSync(dir, { recursive: true });
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  const children = [];
  let painter = null;
  const close = async () => {
    if (painter) clearInterval(painter);
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    // FFmpeg blocked on an RTP input that went quiet can ignore SIGTERM: SIGKILL after 3 s (a run once
    // waited minutes here).
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null || c.signalCode !== null
          ? null
          : new Promise((r) => {
              const kill = setTimeout(() => c.kill('SIGKILL'), 3000);
              c.once('exit', () => {
                clearTimeout(kill);
                r();
              });
            }),
      ),
    );
    worker.close();
  };
  try {
    const router = await worker.createRouter({ mediaCodecs: routerCodecs });
    const inT = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      comedia: true,
      rtcpMux: true,
    });
    const producer = await inT.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
        encodings: [{ ssrc: 2222 }],
      },
    });

    // The camera: frames painted with the clock, piped raw into FFmpeg's VP8 encoder (realtime, no
    // look-ahead), which sends RTP to the producer. Timestamps are the frames' arrival (wall clock).
    const camera = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-use_wallclock_as_timestamps',
        '1',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        '-s',
        `${width}x${height}`,
        '-framerate',
        String(fps),
        '-i',
        'pipe:0',
        '-fps_mode',
        'passthrough',
        '-pix_fmt',
        'yuv420p',
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-lag-in-frames',
        '0',
        '-error-resilient',
        '1',
        '-b:v',
        '800k',
        '-minrate',
        '800k',
        '-maxrate',
        '800k',
        '-g',
        String(fps),
        '-an',
        '-f',
        'rtp',
        '-ssrc',
        '2222',
        '-payload_type',
        '101',
        `rtp://127.0.0.1:${inT.tuple.localPort}?pkt_size=1200`,
      ],
      { stdio: ['pipe', 'ignore', 'inherit'] },
    );
    children.push(camera);
    camera.stdin.on('error', () => {});
    const clock = frameClock();
    const frame = Buffer.alloc(width * height);
    let frameNo = 0;
    const stats = { painted: 0, dropped: 0 };
    painter = setInterval(() => {
      // A frame is bigger than the pipe's buffer, so writes always wait for a drain; drop only when
      // FFmpeg falls two frames behind.
      if (camera.stdin.writableLength > 2 * frame.length) {
        stats.dropped++;
        return;
      }
      clock.paintGrey(frame, width, height, performance.timeOrigin + performance.now(), frameNo++);
      // Noise in the bottom eighth, so the encoders spend about what they would on a camera (a flat
      // barcode alone costs them almost no bits) and viewers fetch camera-sized segments.
      crypto.randomFillSync(frame, Math.floor(height * 0.875) * width);
      camera.stdin.write(Buffer.from(frame));
      stats.painted++;
    }, 1000 / fps);

    // Router -> FFmpeg packager, as recording capture hands RTP to FFmpeg (no mux, RTCP on port + 1).
    const rtpPort = await udpPortPair();
    const outT = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      comedia: false,
      rtcpMux: false,
    });
    await outT.connect({ ip: '127.0.0.1', port: rtpPort, rtcpPort: rtpPort + 1 });
    const consumer = await outT.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
      paused: true,
    });
    const codec = consumer.rtpParameters.codecs[0];
    const sdpPath = path.join(dir, 'in.sdp');
    fs.writeFileSync(
      sdpPath,
      [
        'v=0',
        'o=- 0 0 IN IP4 127.0.0.1',
        's=bench-hls',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        `m=video ${rtpPort} RTP/AVP ${codec.payloadType}`,
        `a=rtpmap:${codec.payloadType} VP8/90000`,
        'a=recvonly',
        '',
      ].join('\n'),
    );
    const packager = spawn('ffmpeg', packagerArgs({ sdpPath, dir, fps, segmentSeconds, listSize }), {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(packager);
    await new Promise((r) => setTimeout(r, 500)); // FFmpeg binds its ports
    await consumer.resume();
    await consumer.requestKeyFrame();
    const playlist = path.join(dir, 'live.m3u8');
    const deadline = Date.now() + 60_000;
    while (!(fs.existsSync(playlist) && /seg-\d+\.m4s/.test(fs.readFileSync(playlist, 'utf8')))) {
      if (Date.now() > deadline) throw new Error('the HLS packager wrote no segment in 60 s');
      if (packager.exitCode !== null || camera.exitCode !== null) throw new Error('an FFmpeg of the pipeline exited');
      await new Promise((r) => setTimeout(r, 100));
    }
    log(`[hls-pipeline] live: ${playlist}`);
    return {
      dir,
      playlist,
      worker,
      router,
      producer,
      stats,
      /** Bits per second into the router (the camera's VP8) now. */
      producerBitrate: async () => (await producer.getStats())[0]?.bitrate ?? null,
      pids: { worker: worker.pid, camera: camera.pid, packager: packager.pid },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
