import { redactUrl } from './logging.module';

describe('redactUrl', () => {
  it('hides calendar feed secrets and keeps everything else', () => {
    expect(redactUrl('/api/v1/calendar/wttcal_abc123.ics')).toBe('/api/v1/calendar/[redacted]');
    expect(redactUrl('/api/v1/calendar/wttcal_abc123?x=1')).toBe('/api/v1/calendar/[redacted]?x=1');
    expect(redactUrl('/api/v1/posts?cursor=abc')).toBe('/api/v1/posts?cursor=abc');
    expect(redactUrl(undefined)).toBeUndefined();
  });
});
