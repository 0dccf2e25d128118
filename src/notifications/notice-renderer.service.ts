import { Injectable, NotFoundException } from '@nestjs/common';
import addressparser from 'nodemailer/lib/addressparser';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { RecordedEvent } from '../events/domain-event';
import { EmployeesService } from '../people/employees.service';
import { Audience, employeesNamedIn, Person, RenderedNotice, renderNotice, RenderOptions } from './templates';

/**
 * Renders notices with the configured public base URL (links) and sender (the invitations' organiser).
 * Events name people by id only; for a recipient allowed to see who it is, the names come from the
 * people feature when the notice is written (an employee erased since is "the holder of <post>").
 */
@Injectable()
export class NoticeRenderer {
  private readonly options: RenderOptions;

  constructor(
    config: AppConfig,
    private readonly employees: EmployeesService,
  ) {
    const [from] = addressparser(config.MAIL_FROM, { flatten: true });
    this.options = {
      baseUrl: config.PUBLIC_BASE_URL,
      organizer: { name: from?.name || 'Workforce transition tracker', email: from?.address || config.MAIL_FROM },
    };
  }

  async render(em: EntityManager, event: RecordedEvent, audience: Audience): Promise<RenderedNotice> {
    const people = audience.personal ? await this.people(em, employeesNamedIn(event)) : undefined;
    return renderNotice(event, audience, this.options, people);
  }

  private async people(em: EntityManager, ids: string[]): Promise<Map<string, Person>> {
    const out = new Map<string, Person>();
    for (const id of ids) {
      try {
        const e = await this.employees.get(id, em);
        out.set(id, { name: `${e.firstName} ${e.lastName}`, staffNumber: e.staffNumber });
      } catch (err) {
        if (!(err instanceof NotFoundException)) throw err;
      }
    }
    return out;
  }
}
