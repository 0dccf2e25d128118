import { Injectable } from '@nestjs/common';
import addressparser from 'nodemailer/lib/addressparser';
import { AppConfig } from '../config/app-config';
import { RecordedEvent } from '../events/domain-event';
import { Audience, RenderedNotice, renderNotice, RenderOptions } from './templates';

/** Renders notices with the configured public base URL (links) and sender (the invitations' organiser). */
@Injectable()
export class NoticeRenderer {
  private readonly options: RenderOptions;

  constructor(config: AppConfig) {
    const [from] = addressparser(config.MAIL_FROM, { flatten: true });
    this.options = {
      baseUrl: config.PUBLIC_BASE_URL,
      organizer: { name: from?.name || 'Workforce transition tracker', email: from?.address || config.MAIL_FROM },
    };
  }

  render(event: RecordedEvent, audience: Audience): RenderedNotice {
    return renderNotice(event, audience, this.options);
  }
}
