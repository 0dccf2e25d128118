import { HttpStatus } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApiException } from '../../common/errors/api-error';
import type { JobProducer } from '../../queue/job-producer.service';
import { JobName } from '../../queue/queue.contract';
import { DocumentKind, KIND_SUBJECT } from '../document-kinds';

export interface Recipient {
  name: string;
  email?: string;
  role: string;
}

export const deliveryJobId = (deliveryId: string) => `doc-email-${deliveryId}`;
export const pdfJobId = (documentId: string) => `pdf-${documentId}`;

/**
 * Which recipients of an issued document get it by email with its PDF: every one when HR chose
 * "send by email"; for the reg. 13 information and the measures letter always the forum's union
 * members (they are given their copy by email whatever else HR does). A recipient without an
 * address, when email was chosen, is a 422 naming `delivery` (nothing is issued).
 */
export function emailRecipients(kind: DocumentKind, delivery: string, recipients: Recipient[]): (Recipient & { email: string })[] {
  const toEmail = delivery === 'email' || KIND_SUBJECT[kind] === 'consultation';
  if (!toEmail) return [];
  const missing = recipients.filter((r) => !r.email);
  if (delivery === 'email' && missing.length) {
    throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, 'The letter cannot be sent by email', [
      { field: 'delivery', reason: `${missing.map((m) => m.name).join(', ')} ${missing.length === 1 ? 'has' : 'have'} no email address: hand the letter over instead` },
    ]);
  }
  return recipients.filter((r): r is Recipient & { email: string } => Boolean(r.email));
}

/** The email deliveries of an issued document, in the issuing transaction (one per address, whatever the retries). */
export async function recordEmailDeliveries(em: EntityManager, documentId: string, recipients: (Recipient & { email: string })[]): Promise<string[]> {
  if (!recipients.length) return [];
  const rows: { id: string }[] = await em.query(
    `INSERT INTO document_deliveries (document_id, recipient_name, recipient_role, address)
     SELECT $1, r.name, r.role, r.email FROM json_to_recordset($2::json) AS r(name text, role text, email text)
     ON CONFLICT (document_id, address) DO NOTHING RETURNING id`,
    [documentId, JSON.stringify(recipients.map((r) => ({ name: r.name.slice(0, 200), role: r.role.slice(0, 200), email: r.email })))],
  );
  return rows.map((r) => r.id);
}

/** After the transaction: one job per delivery (idempotent by job id). A failure is left to the sweep. */
export async function enqueueEmailDeliveries(jobs: JobProducer, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await jobs.enqueueMany(ids.map((deliveryId) => ({ item: { name: JobName.DocumentEmail, data: { deliveryId } }, jobId: deliveryJobId(deliveryId) })));
}

export interface DeliveryView {
  documentId: string;
  name: string;
  address: string;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  sentAt: string | null;
  messageId: string | null;
  lastError: string | null;
}

/** The email deliveries of some documents (for the case's letters and the document's page). */
export async function deliveriesOf(em: EntityManager, documentIds: string[]): Promise<DeliveryView[]> {
  if (!documentIds.length) return [];
  const rows: { document_id: string; recipient_name: string; address: string; status: DeliveryView['status']; attempts: number; sent_at: Date | null; message_id: string | null; last_error: string | null }[] =
    await em.query(`SELECT document_id, recipient_name, address, status, attempts, sent_at, message_id, last_error FROM document_deliveries WHERE document_id = ANY($1::uuid[]) ORDER BY recipient_name, address`, [documentIds]);
  return rows.map((r) => ({
    documentId: r.document_id,
    name: r.recipient_name,
    address: r.address,
    status: r.status,
    attempts: r.attempts,
    sentAt: r.sent_at ? r.sent_at.toISOString() : null,
    messageId: r.message_id,
    lastError: r.last_error,
  }));
}
