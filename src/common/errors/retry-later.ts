/**
 * Thrown by a job's work when it should run again at a given time without that counting as a
 * failed attempt (e.g. another attempt of the same delivery may still be talking to the
 * receiver). The worker host moves the job to delayed until `retryAt`.
 */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly retryAt: number,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}
