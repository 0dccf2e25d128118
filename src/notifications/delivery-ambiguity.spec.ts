import { PermanentDeliveryError } from './channels/delivery-errors';
import { receiverMayHaveIt } from './delivery.service';

describe('receiverMayHaveIt (is a failed send counted "possibly delivered")', () => {
  it('is false when the receiver answered no or was never reached', () => {
    expect(receiverMayHaveIt(new PermanentDeliveryError('webhook answered 410'))).toBe(false);
    expect(receiverMayHaveIt(new Error('webhook answered 503'))).toBe(false);
    expect(receiverMayHaveIt(Object.assign(new Error('Message failed: 451 try later'), { responseCode: 451, code: 'EMESSAGE' }))).toBe(false);
    expect(receiverMayHaveIt(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ECONNECTION' }))).toBe(false);
    expect(receiverMayHaveIt(new Error('webhook request failed: ECONNREFUSED', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }))).toBe(false);
  });

  it('is true when the failure came mid-transaction, or is not known', () => {
    expect(receiverMayHaveIt(new Error('webhook timed out after 2000 ms', { cause: Object.assign(new Error('timeout'), { name: 'TimeoutError' }) }))).toBe(true);
    expect(receiverMayHaveIt(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ESOCKET' }))).toBe(true);
    expect(receiverMayHaveIt(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(receiverMayHaveIt(new Error('something else'))).toBe(true);
  });
});
