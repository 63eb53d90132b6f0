import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's headless Chromium (`apt-get install chromium-headless-shell`, test/setup.sh). Playwright's own download cannot work here. */
export const CHROMIUM = process.env.METRICOPS_E2E_CHROMIUM ?? '/usr/lib/chromium/chromium-headless-shell';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no headless Chromium at ${CHROMIUM}: run test/setup.sh (it installs Debian's chromium-headless-shell) or set METRICOPS_E2E_CHROMIUM`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    // --no-sandbox: the tests run as root (CI); the rest keeps Chromium from reaching out to the network.
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** Everything the page said on its console at error level, and every uncaught error: a test expects none. */
export interface PageProblems {
  problems: string[];
}

export async function openPage(context: BrowserContext, problems: PageProblems): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on('requestfailed', (request) => problems.problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? ''})`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.problems.push(`${response.status()} for ${response.url()}`);
  });
  return page;
}

/** Saves a full-page screenshot when METRICOPS_E2E_SCREENSHOTS names a folder (for people to look at). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.METRICOPS_E2E_SCREENSHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}
