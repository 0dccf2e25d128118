import { bucketFor } from './delivery-metrics';
import { reminderOffset } from './milestone-reminders.service';
import { audiencesFor } from './recipients.service';
import { judgeRedis } from './redis-preflight';
import { mailDomain, messageIdFor } from './channels/email.channel';
import { isInternalAddress, parseAllowList } from './channels/destination-guard';
import { signBody, verifySignature } from './channels/webhook.channel';
import { createHmac } from 'node:crypto';

describe('reminderOffset', () => {
  it.each([
    [20, [14, 7, 1], null],
    [14, [14, 7, 1], 14],
    [10, [14, 7, 1], 14],
    [5, [14, 7, 1], 7],
    [1, [14, 7, 1], 1],
    [0, [14, 7, 1], 1],
    [0, [0], 0],
    [3, [], null],
  ])('%i days left with offsets %j: the %s-day reminder', (daysLeft, offsets, expected) => {
    expect(reminderOffset(daysLeft, offsets)).toBe(expected);
  });
});

describe('audiencesFor', () => {
  it('sends a milestone to its own audience and its owner, defaulting to the forum and HR', () => {
    expect(audiencesFor('milestone.missed', { audience: ['managers', 'affected_staff', 'bogus'] })).toEqual(['managers', 'affected_staff', 'owner']);
    expect(audiencesFor('milestone.upcoming', {})).toEqual(['forum', 'hr', 'owner']);
  });

  it('never sends a staff movement to the forum', () => {
    expect(audiencesFor('case.state_changed', {})).toEqual(['hr', 'case_managers']);
  });
});

describe('judgeRedis', () => {
  it('refuses any eviction policy but noeviction, saying how to fix it', () => {
    expect(judgeRedis({ maxmemoryPolicy: 'allkeys-lru', appendonly: 'yes', save: '' }, false).error).toMatch(/must be "noeviction".*CONFIG SET maxmemory-policy noeviction/);
    expect(judgeRedis({ maxmemoryPolicy: 'noeviction', appendonly: 'no', save: '' }, false)).toEqual({});
  });

  it('warns in production when nothing is persisted', () => {
    expect(judgeRedis({ maxmemoryPolicy: 'noeviction', appendonly: 'no', save: '' }, true).warning).toMatch(/persistence is off/);
    expect(judgeRedis({ maxmemoryPolicy: 'noeviction', appendonly: 'yes', save: '' }, true)).toEqual({});
    expect(judgeRedis({ maxmemoryPolicy: 'noeviction', appendonly: 'no', save: '3600 1' }, true)).toEqual({});
  });

  it('warns when the policy cannot be read', () => {
    expect(judgeRedis({ maxmemoryPolicy: null, appendonly: null, save: null }, true).warning).toMatch(/could not read/);
  });
});

describe('delivery details', () => {
  it('puts latencies in the first bucket they fit', () => {
    expect(bucketFor(0)).toBe('0.1');
    expect(bucketFor(0.1)).toBe('0.1');
    expect(bucketFor(0.11)).toBe('0.25');
    expect(bucketFor(1e9)).toBe('+Inf');
  });

  it('gives each email a stable Message-ID in the sender’s domain', () => {
    expect(mailDomain('Tracker <no-reply@council.example>')).toBe('council.example');
    expect(mailDomain('no-reply@council.example')).toBe('council.example');
    expect(messageIdFor('abc', 'x@y.example')).toBe('<abc@y.example>');
  });

  it('signs webhook bodies with HMAC-SHA256 over "<timestamp>.<body>"', () => {
    expect(signBody('k', '{"a":1}', 1700000000)).toBe(`t=1700000000, v1=${createHmac('sha256', 'k').update('1700000000.{"a":1}').digest('hex')}`);
  });

  it('a receiver accepts a fresh signature and refuses a replay older than 5 minutes or a changed body', () => {
    const now = 1700000000;
    const header = signBody('k', '{"a":1}', now);
    expect(verifySignature('k', '{"a":1}', header, 300, now + 299)).toBe(true);
    expect(verifySignature('k', '{"a":1}', header, 300, now + 301)).toBe(false);
    expect(verifySignature('k', '{"a":2}', header, 300, now)).toBe(false);
    expect(verifySignature('other', '{"a":1}', header, 300, now)).toBe(false);
  });

  it('refuses internal webhook destinations unless their range is allowed', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1']) {
      expect({ a, internal: isInternalAddress(a) }).toEqual({ a, internal: true });
    }
    for (const a of ['93.184.216.34', '2606:4700::1111']) expect({ a, internal: isInternalAddress(a) }).toEqual({ a, internal: false });
    expect(isInternalAddress('127.0.0.1', parseAllowList('127.0.0.0/8'))).toBe(false);
    expect(isInternalAddress('10.0.0.1', parseAllowList('127.0.0.0/8'))).toBe(true);
  });
});
