import AxeBuilder from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { axe, AXE_TAGS, closeBrowser, launchBrowser } from '../support/browser';

/**
 * expectAccessible collects only violations in detail and, on a page without frames, runs axe in
 * legacy mode (the fast path, test/support/browser.ts). Here it reports exactly what AxeBuilder's
 * default (runPartial per frame, finishRun in a blank page, every result type) reports, on pages
 * full of known violations with and without a frame, and nothing on a clean page.
 */
describe('pages harness: the fast axe run finds what the default run finds', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await closeBrowser();
  });

  const violations = `<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
      <a href="#"></a>
      <p style="color:#eee;background:#fff">low contrast</p>
      <input type="text">
      <div role="button"></div>
      <ul><div>not a list item</div></ul>
      <table><tr><th></th><td>cell</td></tr></table>`;
  const broken = `<!DOCTYPE html><html lang="en"><head><title>Broken</title></head><body><main><h1>Broken page</h1>${violations}</main></body></html>`;
  const brokenWithFrame = `<!DOCTYPE html><html lang="en"><head><title>Broken</title></head><body>
    <main><h1>Broken page</h1>
      ${violations}
      <iframe title="inner" srcdoc="<!DOCTYPE html><html lang='en'><head><title>Inner</title></head><body><main><img src='x.png'><button></button></main></body></html>"></iframe>
    </main></body></html>`;
  const clean = `<!DOCTYPE html><html lang="en"><head><title>Clean</title></head><body><main><h1>Clean page</h1><p>Nothing wrong here.</p></main></body></html>`;

  const summary = (r: { violations: { id: string; impact?: string | null; nodes: { target: unknown[] }[] }[] }) =>
    r.violations.map((v) => ({ rule: v.id, impact: v.impact, nodes: v.nodes.map((n) => JSON.stringify(n.target)).sort() })).sort((a, b) => a.rule.localeCompare(b.rule));

  it('reports the same violations, nodes and impacts on a page without frames (legacy mode)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setContent(broken);
    expect(page.frames()).toHaveLength(1);
    const fast = summary(await axe(page).analyze());
    const full = summary(await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze());
    expect(fast).toEqual(full);
    expect(fast.map((v) => v.rule)).toEqual(expect.arrayContaining(['image-alt', 'link-name', 'color-contrast', 'label', 'aria-command-name', 'list']));
    await context.close();
  });

  it('reports the same violations, nodes and impacts, in the page and in its frame', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setContent(brokenWithFrame);
    await page.frameLocator('iframe').locator('button').waitFor({ state: 'attached' });
    const fast = summary(await axe(page).analyze());
    const full = summary(await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze());
    expect(fast).toEqual(full);
    const rules = fast.map((v) => v.rule);
    expect(rules).toEqual(expect.arrayContaining(['image-alt', 'link-name', 'color-contrast', 'label', 'aria-command-name', 'list', 'button-name']));
    // The frame's own violations are found (their targets name the iframe, then the element in it).
    expect(fast.find((v) => v.rule === 'button-name')!.nodes.some((n) => n.includes('iframe'))).toBe(true);
    await context.close();
  });

  it('reports nothing on a clean page, as the default run does', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setContent(clean);
    const fast = await axe(page).analyze();
    expect(summary(fast)).toEqual([]);
    // Only the WCAG 2.2 AA tags run, as before (no best-practice rules added, none dropped).
    expect(fast.toolOptions.runOnly).toEqual({ type: 'tag', values: AXE_TAGS });
    expect(summary(await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze())).toEqual([]);
    await context.close();
  });
});
