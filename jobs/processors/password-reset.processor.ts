import { Injectable, Logger } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { PasswordResetMailer } from '../../src/auth/password-reset-mailer';
import { errorMessage, PermanentDeliveryError } from '../../src/notifications/channels/delivery-errors';
import { isLastAttempt, JobData, JobName } from '../../src/queue/queue.contract';
import { JobProcessor } from '../job-processor';

@Injectable()
export class PasswordResetProcessor implements JobProcessor<JobName.SendPasswordReset> {
  readonly jobName = JobName.SendPasswordReset;
  private readonly logger = new Logger('PasswordResetProcessor');

  constructor(private readonly mailer: PasswordResetMailer) {}

  async process({ resetId }: JobData<JobName.SendPasswordReset>, job?: Pick<Job, 'attemptsMade' | 'opts'>): Promise<{ sent: boolean }> {
    let sent: boolean;
    try {
      sent = await this.mailer.send(resetId);
    } catch (err) {
      // Recorded on the reset (attempts, the error; failed on the last attempt or a refusal for good) for admins to see.
      const permanent = err instanceof PermanentDeliveryError;
      const message = errorMessage(err);
      await this.mailer.recordFailure(resetId, message, permanent || isLastAttempt(job));
      if (permanent) throw new UnrecoverableError(message);
      throw err;
    }
    if (!sent) this.logger.log(`password reset ${resetId} not sent: used, expired or the account is gone`);
    return { sent };
  }
}
