import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

// Debian's Chromium driven by playwright-core (never a downloaded browser).
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

export async function openBrowser(
  viewport = { width: 1024, height: 768 },
  timezoneId = 'Asia/Shanghai',
): Promise<TestBrowser> {
  const dir = mkdtempSync(join(tmpdir(), 'hc-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport,
    locale: 'zh-CN',
    timezoneId,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Screenshots of the page at 1366×768 and 1024×768 as `${name}-${width}.png` in $SHOTS_DIR, when it is set (to look
 * at what people see); the page is left at 1366×768.
 */
export async function shotsAtBothWidths(page: Page, name: string, dir = process.env.SHOTS_DIR): Promise<void> {
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const width of [1366, 1024]) {
    await page.setViewportSize({ width, height: 768 });
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(dir, `${name}-${width}.png`) });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}
