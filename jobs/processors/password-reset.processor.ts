import { Injectable, Logger } from '@nestjs/common';
import { PasswordResetMailer } from '../../src/auth/password-reset-mailer';
import { JobData, JobName } from '../../src/queue/queue.contract';
import { JobProcessor } from '../job-processor';

@Injectable()
export class PasswordResetProcessor implements JobProcessor<JobName.SendPasswordReset> {
  readonly jobName = JobName.SendPasswordReset;
  private readonly logger = new Logger('PasswordResetProcessor');

  constructor(private readonly mailer: PasswordResetMailer) {}

  async process({ resetId }: JobData<JobName.SendPasswordReset>): Promise<{ sent: boolean }> {
    const sent = await this.mailer.send(resetId);
    if (!sent) this.logger.log(`password reset ${resetId} not sent: used, expired or the account is gone`);
    return { sent };
  }
}
