import { ApiException } from '../common/errors/api-error';
import { decodeCursor, encodeCursor } from './cursor';

describe('posts cursor', () => {
  it('round-trips reference and id', () => {
    const c = { reference: 'MCC-QPC-017 "x"', id: '0b5e2c3a-1d4f-4e6a-9b8c-7d6e5f4a3b2c' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  it.each(['', 'not-base64-json', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["x","not-a-uuid"]').toString('base64url')])(
    'refuses %p with a 400 naming the cursor',
    (bad) => {
      try {
        decodeCursor(bad);
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(ApiException);
        expect((e as ApiException).details).toEqual([{ field: 'cursor', reason: 'is not a cursor this API issued' }]);
      }
    },
  );
});
