import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/console/chromium.js';
import { horsesBySize, startConsoleFixture, type ConsoleFixture } from './console-fixture.js';

/** Pixels of the bar colour (#3b6fd8, drawn at 80% over white) in the chart's canvas. */
function barPixels(page: Page): Promise<number> {
  return page.$eval('.bar-chart canvas', (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && data[i + 2]! > 180 && data[i + 2]! - data[i]! > 80) n++;
    return n;
  });
}

describe('the console in a real browser (chromium via playwright-core)', () => {
  let f: ConsoleFixture;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  beforeAll(async () => {
    f = await startConsoleFixture({ events: 150 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
    page.on('pageerror', (err) => problems.push(`page: ${err.message}`));
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
    // Everything the page loads comes from the console itself: nothing from a CDN.
    page.on('request', (req) => !req.url().startsWith(f.console.url) && !req.url().startsWith('data:') && !req.url().startsWith('blob:') && problems.push(`outside request: ${req.url()}`));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await f?.dispose();
  });

  const horses = () => f.names.horse_purchases!;
  const horseRows = () => f.events.filter((e) => e.event_type === 'purchase_horse').length;

  it('lists the example jobs with their state, rows and rates, and the invalid job with its error at line:col', async () => {
    await page.goto(f.console.url);
    const horse = page.locator(`tr[data-job="${horses()}"]`);
    await horse.locator('td.rows', { hasText: String(horseRows()) }).waitFor();
    expect(await page.locator('tr[data-job]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job')).sort())).toEqual(Object.values(f.names).sort());
    expect(await horse.locator('.state').textContent()).toBe('running');
    expect(await horse.locator('td.lag').textContent()).toBe('0');
    await horse.locator('.sparkline canvas').waitFor();
    expect(await page.locator('tr[data-state="invalid"] pre.diagnostics').textContent()).toMatch(/broken\.job\.yaml:4:6: error: schema\.a must be one of .*got 'strng'/);
  });

  it('opens the rejected rows of a job with their reasons', async () => {
    const button = page.locator(`tr[data-job="${horses()}"] button.rejected`);
    expect(await button.textContent()).toBe(String(f.badHorses.length));
    await button.click();
    const rows = page.locator('.rejected-rows tbody tr');
    await rows.nth(f.badHorses.length - 1).waitFor();
    expect(await rows.count()).toBe(f.badHorses.length);
    for (const text of await rows.allTextContents()) expect(text).toMatch(/speed/);
  });

  it("shows a table's row count and schema", async () => {
    await page.click('nav a[href="#tables"]');
    const row = page.locator(`tr[data-table="${horses()}"]`);
    await row.waitFor();
    expect(await row.locator('td.rows').textContent()).toBe(String(horseRows()));
    expect(await row.locator('.schema').textContent()).toContain('quantity INTEGER');
  });

  it('runs the horses-by-size query and draws its bar chart', async () => {
    await page.click('nav a[href="#query"]');
    await page.fill('textarea.sql', `SELECT size, sum(quantity) AS horses FROM ${horses()} GROUP BY size ORDER BY size`);
    await page.click('button.run');
    await page.locator('.bar-chart canvas').waitFor();
    const cells = await page.locator('.result tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(cells).toEqual(horsesBySize(f.events).map(([size, n]) => [size, String(n)]));
    expect(await page.locator('.bar-chart .u-legend').textContent()).toContain('horses');
    expect(await barPixels(page)).toBeGreaterThan(1000);
  });

  it('has logged no error in the page, and loaded nothing from elsewhere', () => {
    expect(problems).toEqual([]);
  });

  it('shows a refused query with the reason it was refused', async () => {
    await page.fill('textarea.sql', "SELECT * FROM read_csv('/etc/passwd')");
    await page.click('button.run');
    expect(await page.locator('.query-error').textContent()).toBe("Permission Error: table function 'read_csv' is not allowed in the console; it reads only the jobs' tables and range, generate_series, unnest");
    // The 403 itself is the only thing the browser reports.
    expect(problems).toEqual(['console: Failed to load resource: the server responded with a status of 403 (Forbidden)']);
  });
});
