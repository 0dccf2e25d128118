import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { PermanentDeliveryError } from './delivery-errors';

export const SIGNATURE_HEADER = 'x-signature';

/** `sha256=<hex HMAC-SHA256 of the raw body, keyed with the subscription's secret>`. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

/**
 * A JSON POST signed in X-Signature, with X-Delivery-Id (the same on every attempt: the
 * receiver's idempotency key) and a time limit. 2xx is delivered; 408, 429, 5xx, a timeout or
 * a network error is retried; any other answer (redirects are not followed) is final.
 */
@Injectable()
export class WebhookChannel {
  constructor(private readonly config: AppConfig) {}

  async send(target: WebhookTarget, notificationId: string, eventType: string, payload: Record<string, unknown>): Promise<void> {
    const body = JSON.stringify(payload);
    let res: Response;
    try {
      res = await fetch(target.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'wtt-notifications/1',
          [SIGNATURE_HEADER]: signBody(target.secret, body),
          'x-delivery-id': notificationId,
          'x-event-type': eventType,
        },
        body,
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError') throw new Error(`webhook timed out after ${this.config.WEBHOOK_TIMEOUT_MS} ms`, { cause: err });
      throw new Error(`webhook request failed: ${e.cause?.code ?? e.cause?.message ?? e.message}`, { cause: err });
    }
    // Drain the body so the connection can be reused; its content is not needed.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return;
    const message = `webhook answered ${res.status}`;
    if (res.status === 408 || res.status === 429 || res.status >= 500) throw new Error(message);
    throw new PermanentDeliveryError(res.status >= 300 && res.status < 400 ? `${message} (redirects are not followed)` : message);
  }
}
