// What the glass-to-glass bench runs inside Chromium pages: a camera that shows the frame clock, and a
// reader that takes the time off every frame a <video> presents. Both are init-script text or functions
// handed to page.evaluate, so they carry no outside reference (the clock comes as `window.__frameClock`).
import { frameClockSource } from './frame-clock.mjs';

/**
 * Init script for every frame of a context: puts the frame clock on `window.__frameClock`; with
 * `camera`, getUserMedia's camera track is swapped for a 640 x 360 canvas painted with the clock 30 times
 * a second (captureStream(0) + requestFrame right after each painting, so the time painted is the time
 * the frame enters WebRTC). The microphone stays Chromium's fake one.
 */
export function clockInitScript({ camera, width = 640, height = 360, fps = 30 }) {
  return `(() => {
  window.__frameClock = (${frameClockSource})();
  if (!${camera} || !navigator.mediaDevices) return;
  const md = navigator.mediaDevices;
  const original = md.getUserMedia.bind(md);
  md.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    if (!constraints || !constraints.video) return stream;
    for (const t of stream.getVideoTracks()) { stream.removeTrack(t); t.stop(); }
    const canvas = document.createElement('canvas');
    canvas.width = ${width};
    canvas.height = ${height};
    const ctx = canvas.getContext('2d');
    const track = canvas.captureStream(0).getVideoTracks()[0];
    let n = 0;
    const timer = setInterval(() => {
      if (track.readyState === 'ended') return clearInterval(timer);
      window.__frameClock.paintCanvas(ctx, ${width}, ${height}, performance.timeOrigin + performance.now(), n++);
      track.requestFrame();
    }, ${1000 / fps});
    stream.addTrack(track);
    return stream;
  };
})();`;
}

/**
 * Runs in a page (page.evaluate): reads the clock off each frame the <video> matching `selector`
 * presents (requestVideoFrameCallback, drawImage onto a canvas of the frame's size, getImageData).
 * `shown` is the frame's expected display time, `received` (WebRTC only) when its last packet arrived,
 * `read` when its pixels were read back (later than shown: a conservative bound), all as
 * performance.timeOrigin + a page time: this machine's clock, as the painter's. Frames read in the
 * first `skipMs` are not kept (start-up). Re-arms when the page swaps its <video> element.
 */
export function installReader({ selector, skipMs }) {
  const clock = window.__frameClock;
  const state = { samples: [], unread: 0, el: null, started: performance.now(), sizes: {} };
  window.__g2g = state;
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const onFrame = (el) => (_now, meta) => {
    if (el !== state.el) return;
    const w = meta.width;
    const h = meta.height;
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    ctx.drawImage(el, 0, 0, w, h);
    const sent = clock.read(ctx.getImageData(0, 0, w, h).data, w, h, 4);
    if (performance.now() - state.started >= skipMs) {
      if (sent === null) state.unread++;
      else {
        state.samples.push({
          sent,
          shown: performance.timeOrigin + meta.expectedDisplayTime,
          received: meta.receiveTime != null ? performance.timeOrigin + meta.receiveTime : null,
          read: performance.timeOrigin + performance.now(),
        });
        const size = `${w}x${h}`;
        state.sizes[size] = (state.sizes[size] ?? 0) + 1;
      }
    }
    el.requestVideoFrameCallback(onFrame(el));
  };
  const arm = () => {
    const el = document.querySelector(selector);
    if (el && el !== state.el) {
      state.el = el;
      el.requestVideoFrameCallback(onFrame(el));
    }
  };
  arm();
  setInterval(arm, 250);
}

/** Runs in a page: how far performance.timeOrigin + now() is from Date.now() there (mean of 50, ms). */
export function hiResClockOffset() {
  let sum = 0;
  for (let i = 0; i < 50; i++) sum += performance.timeOrigin + performance.now() - Date.now() - 0.5;
  return sum / 50;
}

/** The HLS viewer page: hls.js (from the npm package) on a live playlist, live-edge catch-up on. */
export function hlsViewerPage({ playlist, syncCount }) {
  return `<!doctype html><meta charset="utf-8"><title>HLS viewer</title>
<video id="v" muted autoplay playsinline width="640" height="360"></video>
<script src="/hls.js"></script>
<script>
  const v = document.getElementById('v');
  const hls = new Hls({
    lowLatencyMode: true,
    liveSyncDurationCount: ${syncCount},
    liveMaxLatencyDurationCount: ${syncCount + 3},
    maxLiveSyncPlaybackRate: 1.5,
    backBufferLength: 4,
  });
  window.__hls = hls;
  hls.loadSource(${JSON.stringify(playlist)});
  hls.attachMedia(v);
  v.play().catch(() => {});
</script>`;
}
