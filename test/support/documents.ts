import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { DocumentPdfService } from '../../src/documents/document-pdf.service';
import type { TestUser } from './auth';
import type { TestContext } from './test-app';

/**
 * Issue a case's letter as HR does (generate by the API, PDF by the worker's own service and the
 * real LibreOffice, issue by the API), for tests that move a case to "letters issued" without
 * running a worker process.
 */
export async function issueCaseLetter(ctx: TestContext, user: TestUser, caseId: string, kind = 'transfer_letter'): Promise<string> {
  const gen = await ctx.api.post(`/api/v1/cases/${caseId}/documents`, { kind }, { headers: user.headers });
  if (gen.statusCode !== 201) throw new Error(`generating the ${kind} failed: ${gen.statusCode} ${gen.text}`);
  const pdf = new DocumentPdfService(ctx.app.get(DataSource), ctx.app.get(AppConfig));
  try {
    await pdf.makePdf(gen.body.id);
  } finally {
    await pdf.onApplicationShutdown();
  }
  const issued = await ctx.api.post(`/api/v1/documents/${gen.body.id}/issue`, { delivery: 'handed_over' }, { headers: user.headers });
  if (issued.statusCode !== 200) throw new Error(`issuing the ${kind} failed: ${issued.statusCode} ${issued.text}`);
  return issued.body.id;
}
