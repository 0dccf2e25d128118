import { decodeWords, splitHeaders } from '../../../test/support/smtp-sink';
import { composeMime, encodeWords, formatAddress, formatMailDate, headerValue } from './mime';

describe('composeMime', () => {
  const message = {
    from: { name: 'Transition tracker', address: 'no-reply@council.example' },
    to: 'a.person@council.example',
    subject: 'Case letters issued: MH-007 (G9 → Band 7, Manchester CCG) – a long subject that goes on and on past one encoded word',
    text: 'Old grade: G9\nNew grade: Band 7 – café',
    html: '<p>Old grade: G9</p>',
    messageId: '<5d7c1e2a-3b4c-4d5e-8f60-718293a4b5c6@council.example>',
    date: new Date('2017-03-14T10:00:00Z'),
    headers: { 'X-WTT-Notification-Id': '5d7c1e2a', 'Auto-Submitted': 'auto-generated' },
  };

  it('writes headers a mail reader decodes back to the same text', () => {
    const raw = composeMime(message).toString('utf8');
    const { headers, body } = splitHeaders(raw);
    expect(decodeWords(headers.subject)).toBe(message.subject);
    expect(headers.from).toBe('Transition tracker <no-reply@council.example>');
    expect(headers.to).toBe('a.person@council.example');
    expect(headers.date).toBe('Tue, 14 Mar 2017 10:00:00 +0000');
    expect(headers['message-id']).toBe(message.messageId);
    expect(headers['x-wtt-notification-id']).toBe('5d7c1e2a');
    expect(headers['mime-version']).toBe('1.0');
    expect(headers['content-type']).toMatch(/^multipart\/alternative; boundary="=_wtt_[A-Za-z0-9]+"$/);
    expect(raw).toContain(Buffer.from('Old grade: G9\r\nNew grade: Band 7 – café').toString('base64'));
    expect(body.split('\r\n').every((l) => l.length <= 998)).toBe(true);
    expect(raw.split('\r\n').filter((l) => l.startsWith('Subject') || l.startsWith(' =?')).every((l) => l.length <= 78)).toBe(true);
    expect(/[^\r]\n/.test(raw)).toBe(false); // CRLF only
  });

  it('never lets a header value break the header block', () => {
    expect(headerValue('a\r\nBcc: x@y')).toBe('a Bcc: x@y');
    expect(formatAddress({ name: 'Smith, J. "HR"', address: 'j@x.example' })).toBe('"Smith, J. \\"HR\\"" <j@x.example>');
    expect(decodeWords(encodeWords('Zoë – 北京'))).toBe('Zoë – 北京');
  });

  it('refuses non-ASCII addresses (the caller uses a general composer for those)', () => {
    expect(() => composeMime({ ...message, to: 'zoë@example.com' })).toThrow(/ASCII/);
  });

  it('formats dates in UTC', () => {
    expect(formatMailDate(new Date('2017-06-01T23:05:09Z'))).toBe('Thu, 1 Jun 2017 23:05:09 +0000');
  });
});
