import { bucketFor } from './delivery-metrics';
import { reminderOffset } from './milestone-reminders.service';
import { audiencesFor } from './recipients.service';
import { judgeRedis } from './redis-preflight';
import { mailDomain, messageIdFor } from './channels/email.channel';
import { signBody } from './channels/webhook.channel';
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

  it('signs webhook bodies with HMAC-SHA256', () => {
    expect(signBody('k', '{"a":1}')).toBe(`sha256=${createHmac('sha256', 'k').update('{"a":1}').digest('hex')}`);
  });
});
