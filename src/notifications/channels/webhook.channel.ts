import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { AppConfig } from '../../config/app-config';
import { isIP } from 'node:net';
import { ForbiddenDestinationError, guardedLookup, isInternalAddress, parseAllowList } from './destination-guard';
import { PermanentDeliveryError } from './delivery-errors';

export const SIGNATURE_HEADER = 'x-signature';

/**
 * `t=<unix seconds>, v1=<hex HMAC-SHA256 of "<t>.<raw body>", keyed with the subscription's secret>`.
 * The timestamp is signed too, so a captured delivery cannot be replayed later: receivers refuse a
 * `t` more than 5 minutes from their clock (README, "Webhooks: checking a delivery").
 */
export function signBody(secret: string, body: string, timestamp: number = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp}, v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (and the tests): true when the signature is the body's and `t` is within the tolerance. */
export function verifySignature(secret: string, body: string, header: string, toleranceSeconds = 300, now = Math.floor(Date.now() / 1000)): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(now - t) > toleranceSeconds || typeof parts.v1 !== 'string') return false;
  return signBody(secret, body, t) === `t=${t}, v1=${parts.v1}`;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

/**
 * A JSON POST signed in X-Signature, with X-Delivery-Id (the same on every attempt: the
 * receiver's idempotency key) and a time limit. 2xx is delivered; 408, 429, 5xx, a timeout or
 * a network error is retried; any other answer (redirects are not followed) is final. A
 * destination that resolves to an internal address (destination-guard.ts) is final too.
 */
@Injectable()
export class WebhookChannel {
  constructor(private readonly config: AppConfig) {}

  async send(target: WebhookTarget, notificationId: string, eventType: string, payload: Record<string, unknown>): Promise<void> {
    const body = JSON.stringify(payload);
    const allow = parseAllowList(this.config.WEBHOOK_ALLOW_INTERNAL);
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      throw new PermanentDeliveryError('webhook URL is not valid');
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && isInternalAddress(host, allow)) throw new PermanentDeliveryError(`webhook destination ${host} is an internal address`);
    let status: number;
    try {
      status = await this.post(url, body, allow, {
        'content-type': 'application/json',
        'user-agent': 'wtt-notifications/1',
        [SIGNATURE_HEADER]: signBody(target.secret, body),
        'x-delivery-id': notificationId,
        'x-event-type': eventType,
      });
    } catch (err) {
      if (err instanceof ForbiddenDestinationError || (err as { code?: string }).code === 'EWTTFORBIDDEN') {
        throw new PermanentDeliveryError(`webhook destination refused: ${(err as Error).message}`);
      }
      const e = err as Error & { code?: string };
      if (e.name === 'TimeoutError') throw new Error(`webhook timed out after ${this.config.WEBHOOK_TIMEOUT_MS} ms`, { cause: err });
      throw new Error(`webhook request failed: ${e.code ?? e.message}`, { cause: err });
    }
    if (status >= 200 && status < 300) return;
    const message = `webhook answered ${status}`;
    if (status === 408 || status === 429 || status >= 500) throw new Error(message);
    throw new PermanentDeliveryError(status >= 300 && status < 400 ? `${message} (redirects are not followed)` : message);
  }

  /** One POST; the socket connects only to an address the guard accepted. Resolves with the status, the body drained. */
  private post(url: URL, body: string, allow: ReturnType<typeof parseAllowList>, headers: Record<string, string>): Promise<number> {
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: guardedLookup(allow) as never, signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS) },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', (err) => reject(err.name === 'AbortError' ? Object.assign(new Error('timeout'), { name: 'TimeoutError' }) : err));
      req.end(body);
    });
  }
}
