import { Inject, Injectable } from '@nestjs/common';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { AppConfig } from '../../config/config';
import { outboundFetch, OutboundUrlError, readCapped, type OutboundResponse } from '../../platform/outbound-http';
import { APP_CONFIG } from '../../config/config';
import { REDIS } from '../../platform/redis';
import { PlatformServiceError } from './platform-service-error';
import { ToolSigner } from './tool-signer';

export { PlatformServiceError };

export interface PlatformRef {
  issuer: string;
  clientId: string;
}

export interface ServiceResponse<T> {
  status: number;
  headers: OutboundResponse['headers'];
  body: T;
}

const TIMEOUT_MS = 15_000;
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const tokenKey = (p: PlatformRef, scopes: string[]) =>
  `lti:access-token:${crypto
    .createHash('sha256')
    .update(`${p.issuer}\n${p.clientId}\n${[...scopes].sort().join(' ')}`)
    .digest('hex')}`;

const retryableStatus = (status: number) => status === 408 || status === 425 || status === 429 || status >= 500;

/**
 * Calls LMS services with OAuth2 client-credentials tokens (JWT client assertion signed with the
 * tool's key for that platform). Tokens are cached in Redis until shortly before they expire, per
 * platform and scope set; a 401 drops the cached token and the call is tried once more with a new one.
 * (Lectern does this itself: ltijs 5.9.9 keeps using a cached token the LMS revoked.)
 */
@Injectable()
export class PlatformServiceClient {
  constructor(
    private readonly signer: ToolSigner,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * LMS-supplied URLs are only fetched where the outbound policy allows (public https in production),
   * checked on the address the connection uses. A refusal is final; anything else may be retried.
   */
  private async fetch(
    url: string,
    init: Parameters<typeof outboundFetch>[1],
    unreachable: (e: Error) => PlatformServiceError,
  ): Promise<OutboundResponse> {
    try {
      return await outboundFetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) }, this.config.outbound);
    } catch (e) {
      if (e instanceof OutboundUrlError)
        throw new PlatformServiceError('PLATFORM_URL_REFUSED', `Lectern will not call ${url}: ${e.message}`, false);
      throw unreachable(e as Error);
    }
  }

  async accessToken(platform: PlatformRef, scopes: string[], fresh = false): Promise<string> {
    const key = tokenKey(platform, scopes);
    if (!fresh) {
      const cached = await this.redis.get(key);
      if (cached) return cached;
    }
    const p = await this.signer.platformInfo(platform.issuer, platform.clientId);
    const tokenUrl = await p.platformAccessTokenEndpoint();
    const audience = (await p.platformAuthorizationServer()) || tokenUrl;
    const assertion = await this.signer.sign(platform.issuer, platform.clientId, {
      iss: platform.clientId,
      sub: platform.clientId,
      aud: audience,
      jti: crypto.randomUUID(),
    });
    const res = await this.fetch(
      tokenUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
          scope: scopes.join(' '),
        }),
      },
      (e) =>
        new PlatformServiceError(
          'TOKEN_UNREACHABLE',
          `The LMS token endpoint could not be reached: ${e.message}`,
          true,
        ),
    );
    const text = await readCapped(res, MAX_BODY_BYTES).catch(() => '');
    if (!res.ok) {
      throw new PlatformServiceError(
        retryableStatus(res.status) ? 'TOKEN_ENDPOINT_FAILED' : 'TOKEN_REFUSED',
        `The LMS token endpoint answered ${res.status}: ${text.slice(0, 200)}`,
        retryableStatus(res.status),
        res.status,
      );
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      throw new PlatformServiceError(
        'TOKEN_BAD_RESPONSE',
        'The LMS token endpoint answered with malformed JSON',
        true,
        res.status,
      );
    }
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new PlatformServiceError(
        'TOKEN_BAD_RESPONSE',
        'The LMS token endpoint gave no access_token',
        true,
        res.status,
      );
    }
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    const ttl = Math.max(5, Math.floor(expiresIn) - 30);
    await this.redis.set(key, body.access_token, 'EX', ttl);
    return body.access_token;
  }

  /** One service call; JSON in and out. Throws PlatformServiceError on failure. */
  async request<T = unknown>(
    platform: PlatformRef,
    scopes: string[],
    url: string,
    init: { method?: string; accept?: string; contentType?: string; body?: unknown } = {},
  ): Promise<ServiceResponse<T>> {
    let token = await this.accessToken(platform, scopes);
    let res = await this.send(url, token, init);
    if (res.status === 401) {
      await this.redis.del(tokenKey(platform, scopes));
      token = await this.accessToken(platform, scopes, true);
      res = await this.send(url, token, init);
    }
    const text = await readCapped(res, MAX_BODY_BYTES).catch(() => {
      throw new PlatformServiceError(
        'PLATFORM_BAD_RESPONSE',
        `${url} answered with more than ${MAX_BODY_BYTES} bytes`,
        false,
        res.status,
      );
    });
    if (!res.ok) {
      throw new PlatformServiceError(
        res.status === 401
          ? 'PLATFORM_UNAUTHORIZED'
          : retryableStatus(res.status)
            ? 'PLATFORM_UNAVAILABLE'
            : 'PLATFORM_REFUSED',
        `${init.method ?? 'GET'} ${url} answered ${res.status}: ${text.slice(0, 200)}`,
        retryableStatus(res.status),
        res.status,
      );
    }
    if (!text) return { status: res.status, headers: res.headers, body: undefined as T };
    try {
      return { status: res.status, headers: res.headers, body: JSON.parse(text) as T };
    } catch {
      throw new PlatformServiceError('PLATFORM_BAD_RESPONSE', `${url} answered with malformed JSON`, true, res.status);
    }
  }

  private send(
    url: string,
    token: string,
    init: { method?: string; accept?: string; contentType?: string; body?: unknown },
  ) {
    return this.fetch(
      url,
      {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          accept: init.accept ?? 'application/json',
          ...(init.body !== undefined ? { 'content-type': init.contentType ?? 'application/json' } : {}),
        },
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      },
      (e) => new PlatformServiceError('PLATFORM_UNREACHABLE', `${url} could not be reached: ${e.message}`, true),
    );
  }
}
