import type { Page } from 'playwright-core';
import { tabTo } from './browser';

/**
 * Wait, as a person would by reloading, until the worker has made the draft's PDF (the document
 * page shows "The PDF is being made" until then). Needs the app started with `worker: true`.
 */
export async function waitForPdf(page: Page, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await page.locator('.app-pdf-pending').count()) > 0) {
    if (Date.now() > until) throw new Error('the PDF was not made in time');
    await new Promise((r) => setTimeout(r, 500));
    await page.reload();
  }
}

/**
 * From a case page, issue the case's letter through the letters pages by keyboard alone:
 * Letters → Generate → (the worker makes the PDF) → Issue this letter → handed over → Continue →
 * Check your answers → Issue the letter → Back to the case. Returns the issued document's id.
 */
export async function issueCaseLetterByKeyboard(page: Page, caseId: string, note: string): Promise<string> {
  await tabTo(page, (el) => el.tag === 'a' && el.text === 'Letters', 200);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === `/cases/${caseId}/documents`);
  await tabTo(page, (el) => el.tag === 'button' && el.text.startsWith('Generate the'), 200);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => /^\/documents\/[0-9a-f-]{36}$/.test(u.pathname));
  const documentId = new URL(page.url()).pathname.split('/')[2];
  await waitForPdf(page);
  await tabTo(page, (el) => el.tag === 'a' && el.text === 'Issue this letter', 200);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === `/documents/${documentId}/issue`);
  await tabTo(page, (el) => el.tag === 'input' && el.name === 'delivery');
  await page.keyboard.press('Space');
  await tabTo(page, (el) => el.tag === 'textarea');
  await page.keyboard.type(note);
  await tabTo(page, (el) => el.tag === 'button' && el.text === 'Continue');
  await page.keyboard.press('Enter');
  await page.locator('h1', { hasText: 'Check your answers' }).waitFor();
  await tabTo(page, (el) => el.tag === 'button' && el.text === 'Issue the letter', 200);
  await page.keyboard.press('Enter');
  await page.locator('.govuk-panel', { hasText: 'Letter issued' }).waitFor();
  await tabTo(page, (el) => el.tag === 'a' && el.text === 'Back to the case', 200);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === `/cases/${caseId}`);
  return documentId;
}
