/**
 * Absolute links (emails, calendar feeds, notices) are built from the configured PUBLIC_BASE_URL,
 * never from a request's Host header, which any client can set.
 */
export function publicUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** The same link for calendar apps that subscribe through webcal:// (the scheme replaced, the rest kept). */
export function webcalUrl(url: string): string {
  return url.replace(/^https?:\/\//, 'webcal://');
}
