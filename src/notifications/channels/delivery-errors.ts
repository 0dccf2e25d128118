/** The receiver refused for good (SMTP 5xx, HTTP 4xx): retrying would get the same answer. */
export class PermanentDeliveryError extends Error {}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const e = err as Error & { code?: string; responseCode?: number; response?: string };
    const parts = [e.message];
    if (e.code && !e.message.includes(e.code)) parts.push(`[${e.code}]`);
    return parts.join(' ').slice(0, 2000);
  }
  return String(err).slice(0, 2000);
}
