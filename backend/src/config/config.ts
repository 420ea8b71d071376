import { createHmac } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { HandoffThresholds } from '../media/domain/hls-handoff';
import { parseRuleOverrides, type RateLimitSettings } from '../platform/rate-limit/rules';

/**
 * Typed, validated configuration. This is the only module that reads process.env;
 * everything else receives an AppConfig.
 */
const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const secret = z.string().min(32, 'must be at least 32 characters long');

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`,
  );

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  REDIS_URL: url(['redis:', 'rediss:']),
  LTI_KEY: secret,
  SESSION_SECRET: secret,
  SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(3600),
  // Fractions allowed (tests use seconds); a session ends this long after its launch, refreshed or not.
  SESSION_MAX_AGE_HOURS: z.coerce
    .number()
    .min(0.001)
    .max(24 * 7)
    .default(12),
  SESSION_SWEEP_MS: z.coerce.number().int().min(100).max(60_000).default(20_000),
  DEV_PLATFORM: booleanString.optional(),
  DEV_PLATFORM_URL: url(['http:', 'https:']).optional(),
  FRONTEND_DIST: z.string().default('dist/frontend/browser'),
  GRADE_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(5000),
  KEY_ROTATION_GRACE_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 90)
    .default(168),
  KEY_ROTATION_PUBLISH_AHEAD_MINUTES: z.coerce
    .number()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters long').optional(),
  ALLOW_PRIVATE_NETWORK_URLS: booleanString.optional(),
  PRESENCE_TTL_MS: z.coerce.number().int().min(500).max(120_000).default(10_000),
  PRESENCE_BEAT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  // Rooms of at least this many people get arrivals, departures and flag changes as one batch per window
  // (0: never): a join storm then costs each member one message a window, not one per arrival.
  PRESENCE_BATCH_ABOVE: z.coerce.number().int().min(0).max(100_000).default(40),
  PRESENCE_BATCH_MS: z.coerce.number().int().min(50).max(10_000).default(1_000),
  WHITEBOARD_NAIVE_BROADCAST: booleanString.optional(),
  MEDIASOUP_WORKER_BIN: z.string().optional(),
  MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  MEDIA_LISTEN_IP: z.string().min(1).default('127.0.0.1'),
  MEDIA_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
  MEDIA_PORT: z.coerce.number().int().min(0).max(65535).default(40000),
  MEDIA_PEER_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  MEDIA_CONSUMERS_PER_WORKER: z.coerce.number().int().min(1).max(100_000).default(500),
  MEDIA_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  MEDIA_FORCE_RELAY: booleanString.optional(),
  // on: this instance serves the app and hosts classes' media; off: never hosts media; only: a media host.
  MEDIA_ROLE: z.enum(['on', 'off', 'only']).default('on'),
  // A class spreads to another media host once its host is this loaded (0..1), or holds this many peers (0: no count limit).
  MEDIA_SPREAD_AT: z.coerce.number().min(0.05).max(1).default(0.8),
  MEDIA_PEERS_PER_HOST: z.coerce.number().int().min(0).max(1_000_000).default(0),
  // A spread class gathers back onto one host once it fits under this share of the two above (0: never), has
  // for MEDIA_REGROUP_SETTLE_MS, and nobody of it joined for MEDIA_REGROUP_QUIET_MS (media/domain/host-regroup.ts).
  MEDIA_REGROUP_AT: z.coerce.number().min(0).max(0.95).default(0.75),
  MEDIA_REGROUP_SETTLE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  MEDIA_REGROUP_QUIET_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  // The pipe transports that link one class's routers on two hosts encrypt their RTP (SRTP) unless this is false.
  MEDIA_PIPE_SRTP: booleanString.optional(),
  // The address other media hosts reach this one's pipe transports on (an IP); default MEDIA_LISTEN_IP, or MEDIA_ANNOUNCED_ADDRESS when that is a wildcard.
  MEDIA_PIPE_IP: z.union([z.ipv4(), z.ipv6()]).optional(),
  // The UDP ports those pipe transports take (one per link), both or neither: a range an operator opens between media hosts.
  MEDIA_PIPE_PORT_MIN: z.coerce.number().int().min(1024).max(65535).optional(),
  MEDIA_PIPE_PORT_MAX: z.coerce.number().int().min(1024).max(65535).optional(),
  TURN_URLS: z.string().optional(),
  TURN_SECRET: z.string().min(16, 'must be at least 16 characters long').optional(),
  TURN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86400 * 2)
    .default(12 * 3600),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, _ or -')
    .default('lectern'),
  // Rate limits (platform/rate-limit/rules.ts): every rule's points times the scale, then exact rules.
  RATE_LIMIT_SCALE: z.coerce.number().min(0.01).max(10_000).optional(),
  RATE_LIMIT_RULES: z.string().optional(),
  // Express 'trust proxy': which hops may say who the client is (X-Forwarded-For); never 'true' (anyone could).
  TRUST_PROXY: z
    .string()
    .regex(
      /^(\d{1,2}|[0-9A-Za-z.:/, ]+)$/,
      'must be a hop count or a list of addresses, subnets, loopback, linklocal, uniquelocal',
    )
    .refine(
      (v) => !/^\s*true\s*$/i.test(v),
      "must not be true (any client could then choose its own address): give the load balancer's addresses or a hop count",
    )
    .default('loopback'),
  // Recordings after class (composite job, storage, playback links); capture's segments are read from RECORDING_DIR.
  RECORDINGS_WORK_DIR: z.string().min(1).default('.data/recording-work'),
  RECORDINGS_STORAGE: z.enum(['local', 's3']).default('local'),
  RECORDINGS_STORAGE_DIR: z.string().min(1).default('.data/recording-store'),
  RECORDINGS_S3_ENDPOINT: url(['http:', 'https:']).optional(),
  RECORDINGS_S3_REGION: z.string().min(1).default('us-east-1'),
  RECORDINGS_S3_BUCKET: z.string().min(3).max(63).optional(),
  RECORDINGS_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  RECORDINGS_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  RECORDINGS_S3_FORCE_PATH_STYLE: booleanString.optional(),
  RECORDINGS_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86400)
    .default(6 * 3600),
  RECORDINGS_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  RECORDINGS_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  RECORDINGS_CAPTURE_WAIT_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  RECORDINGS_RETENTION_CHECK_MS: z.coerce.number().int().min(100).max(86_400_000).default(3_600_000),
  SCHEDULE_CHECK_MS: z.coerce.number().int().min(50).max(3_600_000).default(30_000),
  // Attendance notes and scheduled reports go out through SMTP; unset: mail jobs are logged and marked skipped.
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3).default('Lectern <no-reply@lectern.invalid>'),
  REPORT_DISPATCH_MS: z.coerce.number().int().min(100).max(86_400_000).default(3_600_000),
  // Operations: JSON logs (pino) at LOG_LEVEL; Prometheus metrics on a port of their own (unset: 9464 in
  // production, off elsewhere; 0: any free port); readiness tolerates a Redis blip this long.
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).optional(),
  READY_REDIS_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  // Recording: where capture writes its segments (local disk of the media host) and the composite reads them.
  RECORDING_DIR: z.string().min(1).default('.data/recordings'),
  RECORDING_FFMPEG: z.string().min(1).default('ffmpeg'),
  // Live capture of classes (off only for tests that count the SFU's transports); whether a class records is the platform's and classroom's setting.
  RECORDING_CAPTURE: booleanString.optional(),
  RECORDING_SEGMENT_SECONDS: z.coerce.number().min(1).max(30).default(2),
  // Big lectures (media/domain/hls-handoff.ts): when passive joiners watch the HLS broadcast instead of WebRTC.
  HLS_CPU_HIGH: z.coerce.number().min(0.05).max(1).default(0.7),
  HLS_CPU_LOW: z.coerce.number().min(0).max(1).default(0.5),
  HLS_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  HLS_CALM_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  MEDIA_LOAD_SAMPLE_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
  HLS_MAX_WEBRTC_VIEWERS: z.coerce.number().int().min(1).max(100_000).default(300),
  HLS_RESUME_VIEWERS: z.coerce.number().int().min(0).max(100_000).optional(),
  HLS_WARM_AT: z.coerce.number().int().min(1).max(100_000).default(50),
  HLS_DIR: z.string().min(1).default('.data/hls'),
  HLS_SEGMENT_SECONDS: z.coerce.number().min(0.5).max(10).default(1),
  HLS_SECRET: z.string().min(32, 'must be at least 32 characters long').optional(),
  HLS_LINK_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86_400)
    .default(4 * 3600),
  HLS_BASE_URL: url(['http:', 'https:']).optional(),
  // Off where a one-shot job migrates first (the compose recipe); on, instances take a lock and migrate.
  MIGRATE_ON_START: booleanString.optional(),
});

/** The Nest injection token of the loaded AppConfig (provided once, by the app's core module). */
export const APP_CONFIG = Symbol('APP_CONFIG');

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** Base URL of the tool as browsers and platforms reach it, without trailing slash. */
  publicUrl: string;
  databaseUrl: string;
  redisUrl: string;
  ltiKey: string;
  sessionSecret: string;
  sessionTtlSeconds: number;
  /**
   * Sessions end: maxAgeSeconds after the launch, however often refreshed; open sockets of a disabled
   * platform or of an ended session are closed by a sweep every sweepMs (and at once on a disable).
   */
  session: { maxAgeSeconds: number; sweepMs: number };
  devPlatform: { enabled: boolean; url: string };
  frontendDist: string;
  /** First delay between tries of a grade post; doubles each time, capped at an hour. */
  gradeRetryBaseMs: number;
  /** How long a rotated-out signing key stays in the JWKS. */
  keyRotationGraceHours: number;
  /** A new signing key is published this long before it signs. */
  keyRotationPublishAheadMinutes: number;
  /** The operator's admin console token (platform registrations, keys); without it the admin API is off. */
  adminToken: string | null;
  /** What LMS-supplied URLs Lectern may fetch: in production only https and public addresses. */
  outbound: { allowPrivate: boolean; allowHttp: boolean };
  /**
   * Presence heartbeats: an instance silent for ttlMs is dead and its participants are removed. In rooms
   * of batchAbove people or more (0: never), presence changes reach members as one batch every batchMs.
   */
  presence: { ttlMs: number; beatMs: number; batchAbove: number; batchMs: number };
  /** Benchmark only: broadcast the whole board after each op (the naive design) instead of the deltas. */
  whiteboardNaiveBroadcast: boolean;
  /** Redis key prefix of the Bull queues: every instance of one deployment shares it. */
  queuePrefix: string;
  /** Rate limit rules in force: the table's figures times scale (20 under NODE_ENV=test), then overrides. */
  rateLimits: RateLimitSettings;
  /** Express 'trust proxy': a hop count, or the proxies' addresses (req.ip is then the client's). */
  trustProxy: number | string;
  /** How often each instance checks that its repeatable jobs (grade sweep, ltijs purge, roster sync) are still in Redis. */
  scheduleCheckMs: number;
  /** Outgoing mail (attendance notes, scheduled reports); smtpUrl null: mail is logged and skipped. */
  mail: { smtpUrl: string | null; from: string };
  /** How often the scheduled attendance reports that are due are looked for. */
  reportDispatchMs: number;
  recordings: RecordingsConfig;
  /**
   * What an operator sees: JSON log lines at logLevel; Prometheus metrics on metrics.port (null: off);
   * readiness stays true through a Redis outage shorter than readyRedisGraceMs (so one blip does not take
   * every instance out of the load balancer at once); on SIGTERM readiness turns false and the instance
   * keeps serving for shutdownDrainMs before it closes.
   */
  ops: {
    logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    metrics: { port: number; host: string } | null;
    readyRedisGraceMs: number;
    shutdownDrainMs: number;
    migrateOnStart: boolean;
  };
  media: MediaConfig;
  recording: RecordingConfig;
  hls: HlsConfig;
}

/** Big lectures: the hand-off thresholds and the broadcast (see media/domain/hls-handoff.ts and README "Big lectures"). */
export interface HlsConfig {
  thresholds: HandoffThresholds;
  /** A class this large has its broadcast running before anyone needs it. */
  warmAt: number;
  /** Where the media host writes each class's broadcast (`<dir>/<session>/live.m3u8`); shared by every instance that serves it; absolute. */
  dir: string;
  segmentSeconds: number;
  /** Signs the broadcast's links (nginx secure_link compatible); HLS_SECRET, else derived from SESSION_SECRET. */
  secret: string;
  linkTtlSeconds: number;
  /** Where browsers fetch the broadcast (a CDN in front of the files); empty: this origin. */
  baseUrl: string;
}

export interface RecordingConfig {
  /** Capture runs write here, one folder per run (`<session>/<run>/list.csv` and its segments); absolute. */
  dir: string;
  /** The FFmpeg binary capture spawns. */
  ffmpeg: string;
  /** Whether this instance captures the classes whose media it hosts. */
  capture: boolean;
  /** About how long each captured segment is (what a crash can lose). */
  segmentSeconds: number;
}

/** Recordings after class: the composite job, where finished recordings are stored, playback links. */
export interface RecordingsConfig {
  /** Where capture left its runs' segments (absolute; RECORDING_DIR, as recording.dir). */
  captureDir: string;
  /** The job's working files, per recording, removed once uploaded (absolute). */
  workDir: string;
  storage:
    | { kind: 'local'; dir: string }
    | {
        kind: 's3';
        endpoint: string | undefined;
        region: string;
        bucket: string;
        accessKeyId: string;
        secretAccessKey: string;
        forcePathStyle: boolean;
      };
  /** How long a playback link lasts (a class is watched in one sitting: longer than the longest class). */
  urlTtlSeconds: number;
  /** First delay before a failed job is tried again (x4 each try, capped at an hour), and how many tries. */
  retryBaseMs: number;
  attempts: number;
  /** How long after the class ended the job waits for capture runs still writing. */
  captureWaitMs: number;
  /** How often recordings past their platform's retention are looked for. */
  retentionCheckMs: number;
}

export interface MediaConfig {
  /** The mediasoup worker binary; unset: the one the mediasoup package brought. */
  workerBin: string | undefined;
  /** mediasoup workers (one per core by default). */
  workers: number;
  /** Where the WebRtcServers listen, and the address browsers are told (a public IP or host name). */
  listenIp: string;
  announcedAddress: string | undefined;
  /** The WebRtcServer port of worker 0 (UDP and TCP); worker n uses port + n. 0: any free port. */
  port: number;
  /** How long a peer whose socket dropped keeps its transports, for a quick reconnect. */
  peerGraceMs: number;
  /** Consumers one worker is given before a room spreads to another worker. */
  consumersPerWorker: number;
  logLevel: 'debug' | 'warn' | 'error' | 'none';
  /** Every browser sends and receives only through TURN (networks that allow nothing else, or policy). */
  forceRelay: boolean;
  /**
   * on: serves the app and hosts media; off: never hosts a class's media (classes go to media hosts);
   * only: a media host (placed by load like any other; an operator keeps it out of the app's load balancer).
   */
  role: 'on' | 'off' | 'only';
  /** A class spreads to another host once its host's load (0..1, domain/host-placement.ts) reaches this. */
  spreadAt: number;
  /** Or once its host holds this many media peers (all classes); 0: no count limit. */
  peersPerHost: number;
  /** When a spread class gathers back onto one host (domain/host-regroup.ts); regroupAt 0: never. */
  regroup: { regroupAt: number; settleMs: number; quietMs: number };
  /** SRTP on the pipe transports between hosts (on unless MEDIA_PIPE_SRTP=false). */
  pipeSrtp: boolean;
  /** Where this host's pipe transports listen and what other hosts are told: an IP reachable from them. */
  pipeIp: { listen: string; announced: string | undefined };
  /** The UDP ports the pipe transports take (MEDIA_PIPE_PORT_MIN..MAX); null: any free port of mediasoup's 10000–59999. */
  pipePorts: { min: number; max: number } | null;
  /** TURN servers (coturn REST-API shared secret); urls empty: no TURN handed out. */
  turn: { urls: string[]; secret: string | undefined; ttlSeconds: number };
}

/** The pipe transports' address: MEDIA_PIPE_IP, else the media listen IP, announced as MEDIA_ANNOUNCED_ADDRESS when that one is a wildcard. */
function pipeAddress(
  pipeIp: string | undefined,
  listenIp: string,
  announced: string | undefined,
): { listen: string; announced: string | undefined } {
  if (pipeIp) return { listen: pipeIp, announced: undefined };
  const wildcard = listenIp === '0.0.0.0' || listenIp === '::';
  return { listen: listenIp, announced: wildcard ? announced : undefined };
}

/**
 * MEDIA_PIPE_PORT_MIN/MAX: both or neither, in order, and clear of the WebRtcServers' ports (MEDIA_PORT,
 * one per worker), which would otherwise make some links fail to bind.
 */
function pipePortProblems(c: {
  MEDIA_PIPE_PORT_MIN?: number;
  MEDIA_PIPE_PORT_MAX?: number;
  MEDIA_PORT: number;
  MEDIA_WORKERS?: number;
}): string[] {
  const { MEDIA_PIPE_PORT_MIN: min, MEDIA_PIPE_PORT_MAX: max } = c;
  if (min === undefined && max === undefined) return [];
  if (min === undefined || max === undefined)
    return [
      'MEDIA_PIPE_PORT_MIN and MEDIA_PIPE_PORT_MAX are set together (the range of UDP ports pipes between media hosts take)',
    ];
  if (min > max) return [`MEDIA_PIPE_PORT_MIN (${min}) must not be above MEDIA_PIPE_PORT_MAX (${max})`];
  const workers = c.MEDIA_WORKERS ?? Math.max(1, availableParallelism());
  const rtcLast = c.MEDIA_PORT + workers - 1;
  if (c.MEDIA_PORT !== 0 && c.MEDIA_PORT <= max && rtcLast >= min)
    return [
      `MEDIA_PIPE_PORT_MIN..MAX (${min}-${max}) overlaps the WebRTC ports MEDIA_PORT..MEDIA_PORT+workers-1 (${c.MEDIA_PORT}-${rtcLast}): give the pipes a range of their own`,
    ];
  return [];
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

/** A URL on this machine only (localhost, 127.0.0.0/8, ::1): a developer's own setup. */
function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '?');
        const message =
          issue.code === 'invalid_type' && env[variable] === undefined ? 'is required but not set' : issue.message;
        return `${variable} ${message}`;
      }),
    );
  }
  const c = parsed.data;
  const problems: string[] = [];
  // Off unless asked for: a deployment that forgets NODE_ENV must not expose a platform that signs any launch.
  const devPlatformEnabled = c.DEV_PLATFORM ?? false;
  if (devPlatformEnabled && c.NODE_ENV === 'production') {
    problems.push(
      'DEV_PLATFORM must not be true when NODE_ENV is production (the dev LMS platform is never loaded in production)',
    );
  }
  if (c.NODE_ENV === 'production' && !c.PUBLIC_URL?.startsWith('https://')) {
    problems.push(
      `PUBLIC_URL must be an https URL when NODE_ENV is production (LMS launches, cookies and HSTS need it; got ${c.PUBLIC_URL ?? 'nothing'})`,
    );
  }
  const turnUrls = (c.TURN_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const badTurn = turnUrls.filter((u) => !/^turns?:[^\s]+$/.test(u));
  if (badTurn.length)
    problems.push(`TURN_URLS must be comma-separated turn: or turns: URLs (got ${badTurn.join(', ')})`);
  if (turnUrls.length && !c.TURN_SECRET)
    problems.push('TURN_SECRET is required when TURN_URLS is set (the coturn static-auth-secret)');
  if (c.MEDIA_FORCE_RELAY && !turnUrls.length)
    problems.push('MEDIA_FORCE_RELAY needs TURN_URLS (relay-only media goes through TURN)');
  const rateRules = parseRuleOverrides(c.RATE_LIMIT_RULES ?? '');
  problems.push(...rateRules.problems.map((p) => `RATE_LIMIT_RULES ${p}`));
  if (c.RECORDINGS_STORAGE === 's3') {
    for (const v of ['RECORDINGS_S3_BUCKET', 'RECORDINGS_S3_ACCESS_KEY_ID', 'RECORDINGS_S3_SECRET_ACCESS_KEY'] as const)
      if (!c[v]) problems.push(`${v} is required when RECORDINGS_STORAGE is s3`);
  }
  problems.push(...pipePortProblems(c));
  if (problems.length) throw new ConfigError(problems);
  const publicUrl = trimSlash(c.PUBLIC_URL ?? `http://localhost:${c.PORT}`);
  return {
    env: c.NODE_ENV,
    host: c.HOST,
    port: c.PORT,
    publicUrl,
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    ltiKey: c.LTI_KEY,
    sessionSecret: c.SESSION_SECRET,
    sessionTtlSeconds: c.SESSION_TTL_SECONDS,
    session: { maxAgeSeconds: Math.round(c.SESSION_MAX_AGE_HOURS * 3600), sweepMs: c.SESSION_SWEEP_MS },
    devPlatform: {
      enabled: devPlatformEnabled,
      url: trimSlash(c.DEV_PLATFORM_URL ?? `http://127.0.0.1:${c.PORT}/dev-platform`),
    },
    frontendDist: c.FRONTEND_DIST,
    queuePrefix: c.QUEUE_PREFIX,
    rateLimits: { scale: c.RATE_LIMIT_SCALE ?? (c.NODE_ENV === 'test' ? 20 : 1), overrides: rateRules.overrides },
    trustProxy: /^\d+$/.test(c.TRUST_PROXY) ? Number(c.TRUST_PROXY) : c.TRUST_PROXY,
    scheduleCheckMs: c.SCHEDULE_CHECK_MS,
    mail: { smtpUrl: c.SMTP_URL ?? null, from: c.MAIL_FROM },
    reportDispatchMs: c.REPORT_DISPATCH_MS,
    recordings: {
      captureDir: path.resolve(c.RECORDING_DIR),
      workDir: path.resolve(c.RECORDINGS_WORK_DIR),
      storage:
        c.RECORDINGS_STORAGE === 's3'
          ? {
              kind: 's3',
              endpoint: c.RECORDINGS_S3_ENDPOINT,
              region: c.RECORDINGS_S3_REGION,
              bucket: c.RECORDINGS_S3_BUCKET!,
              accessKeyId: c.RECORDINGS_S3_ACCESS_KEY_ID!,
              secretAccessKey: c.RECORDINGS_S3_SECRET_ACCESS_KEY!,
              forcePathStyle: c.RECORDINGS_S3_FORCE_PATH_STYLE ?? !!c.RECORDINGS_S3_ENDPOINT,
            }
          : { kind: 'local', dir: path.resolve(c.RECORDINGS_STORAGE_DIR) },
      urlTtlSeconds: c.RECORDINGS_URL_TTL_SECONDS,
      retryBaseMs: c.RECORDINGS_RETRY_BASE_MS,
      attempts: c.RECORDINGS_ATTEMPTS,
      captureWaitMs: c.RECORDINGS_CAPTURE_WAIT_MS,
      retentionCheckMs: c.RECORDINGS_RETENTION_CHECK_MS,
    },
    ops: {
      logLevel: c.LOG_LEVEL ?? (c.NODE_ENV === 'test' ? 'warn' : 'info'),
      metrics:
        c.METRICS_PORT !== undefined || c.NODE_ENV === 'production'
          ? { port: c.METRICS_PORT ?? 9464, host: c.METRICS_HOST ?? c.HOST }
          : null,
      readyRedisGraceMs: c.READY_REDIS_GRACE_MS,
      shutdownDrainMs: c.SHUTDOWN_DRAIN_MS,
      migrateOnStart: c.MIGRATE_ON_START ?? true,
    },
    whiteboardNaiveBroadcast: c.WHITEBOARD_NAIVE_BROADCAST ?? false,
    presence: {
      ttlMs: c.PRESENCE_TTL_MS,
      beatMs: c.PRESENCE_BEAT_MS,
      batchAbove: c.PRESENCE_BATCH_ABOVE,
      batchMs: c.PRESENCE_BATCH_MS,
    },
    outbound: {
      // Private addresses and plain http only where this is a developer's or a test's loopback setup: a
      // deployment that forgets NODE_ENV (so 'development') but has a real PUBLIC_URL gets the production policy.
      allowPrivate:
        c.ALLOW_PRIVATE_NETWORK_URLS ??
        (c.NODE_ENV === 'test' || (c.NODE_ENV === 'development' && isLoopbackUrl(publicUrl))),
      allowHttp: c.NODE_ENV === 'test' || (c.NODE_ENV === 'development' && isLoopbackUrl(publicUrl)),
    },
    keyRotationGraceHours: c.KEY_ROTATION_GRACE_HOURS,
    keyRotationPublishAheadMinutes: c.KEY_ROTATION_PUBLISH_AHEAD_MINUTES,
    adminToken: c.ADMIN_TOKEN ?? null,
    gradeRetryBaseMs: c.GRADE_RETRY_BASE_MS,
    media: {
      workerBin: c.MEDIASOUP_WORKER_BIN,
      workers: c.MEDIA_WORKERS ?? Math.max(1, availableParallelism()),
      listenIp: c.MEDIA_LISTEN_IP,
      announcedAddress: c.MEDIA_ANNOUNCED_ADDRESS,
      port: c.MEDIA_PORT,
      peerGraceMs: c.MEDIA_PEER_GRACE_MS,
      consumersPerWorker: c.MEDIA_CONSUMERS_PER_WORKER,
      logLevel: c.MEDIA_LOG_LEVEL,
      forceRelay: c.MEDIA_FORCE_RELAY ?? false,
      role: c.MEDIA_ROLE,
      spreadAt: c.MEDIA_SPREAD_AT,
      peersPerHost: c.MEDIA_PEERS_PER_HOST,
      regroup: {
        regroupAt: c.MEDIA_REGROUP_AT,
        settleMs: c.MEDIA_REGROUP_SETTLE_MS,
        quietMs: c.MEDIA_REGROUP_QUIET_MS,
      },
      pipeSrtp: c.MEDIA_PIPE_SRTP ?? true,
      pipeIp: pipeAddress(c.MEDIA_PIPE_IP, c.MEDIA_LISTEN_IP, c.MEDIA_ANNOUNCED_ADDRESS),
      pipePorts:
        c.MEDIA_PIPE_PORT_MIN !== undefined && c.MEDIA_PIPE_PORT_MAX !== undefined
          ? { min: c.MEDIA_PIPE_PORT_MIN, max: c.MEDIA_PIPE_PORT_MAX }
          : null,
      turn: { urls: turnUrls, secret: c.TURN_SECRET, ttlSeconds: c.TURN_TTL_SECONDS },
    },
    recording: {
      dir: path.resolve(c.RECORDING_DIR),
      ffmpeg: c.RECORDING_FFMPEG,
      capture: c.RECORDING_CAPTURE ?? true,
      segmentSeconds: c.RECORDING_SEGMENT_SECONDS,
    },
    hls: {
      thresholds: {
        cpuHigh: c.HLS_CPU_HIGH,
        cpuLow: Math.min(c.HLS_CPU_LOW, c.HLS_CPU_HIGH),
        windowMs: c.HLS_WINDOW_MS,
        calmMs: c.HLS_CALM_MS,
        sampleMs: c.MEDIA_LOAD_SAMPLE_MS,
        maxWebrtcViewers: c.HLS_MAX_WEBRTC_VIEWERS,
        resumeViewers: Math.min(
          c.HLS_RESUME_VIEWERS ?? Math.floor(c.HLS_MAX_WEBRTC_VIEWERS * 0.9),
          c.HLS_MAX_WEBRTC_VIEWERS,
        ),
      },
      warmAt: c.HLS_WARM_AT,
      dir: path.resolve(c.HLS_DIR),
      segmentSeconds: c.HLS_SEGMENT_SECONDS,
      secret: c.HLS_SECRET ?? createHmac('sha256', c.SESSION_SECRET).update('lectern-hls-links').digest('base64url'),
      linkTtlSeconds: c.HLS_LINK_TTL_SECONDS,
      baseUrl: c.HLS_BASE_URL ? trimSlash(c.HLS_BASE_URL) : '',
    },
  };
}

/**
 * What `npm run migrate` needs, and nothing more: a migration job has the database and none of the
 * instance's secrets.
 */
export function loadMigrateConfig(env: NodeJS.ProcessEnv = process.env): { databaseUrl: string } {
  const parsed = schema.pick({ DATABASE_URL: true }).safeParse({ DATABASE_URL: env.DATABASE_URL || undefined });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `DATABASE_URL ${env.DATABASE_URL ? i.message : 'is required but not set'}`),
    );
  }
  return { databaseUrl: parsed.data.DATABASE_URL };
}
