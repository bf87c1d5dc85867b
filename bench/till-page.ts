// Till page benchmark (issue 15): the till's first load (JavaScript and CSS, gzipped) and the time from a scan's
// Enter to the quote on screen, in Chromium through playwright-core against a local server.
// Usage: npm run bench:web     (writes bench/results/till-page.json)
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { hashPassword } from '../src/auth/passwords';
import { addDays } from '../src/common/local-date';
import { PiiCipher } from '../src/common/pii-cipher';
import { keyBytes } from '../src/config/app-config';
import { insertDiners, NewDiner } from '../src/diners/diner.queries';
import { makeIdNumber } from '../src/subsidy/id-number';
import { benchEnv, freshBenchDatabase, machine, percentile, startNode, stopProcess } from './bench-env';

const PORT = 3901;
const BASE = `http://127.0.0.1:${PORT}`;
const SCANS = Number(process.env.BENCH_SCANS ?? 60);
const ROOT = join(__dirname, '..', '..');
const WEB_DIR = join(ROOT, 'web', 'dist');
const env = benchEnv({ PORT: String(PORT), WEB_DIR });
const cipher = new PiiCipher(keyBytes(env.PII_ENCRYPTION_KEY), keyBytes(env.PII_HMAC_KEY));
const idNumberOf = (i: number): string => makeIdNumber('371502', addDays('1935-01-01', i * 37), i % 1000);

async function main(): Promise<void> {
  const ds = await freshBenchDatabase();
  const [sub] = await ds.query(
    // A sub-district belongs to a district (the migrations' first one).
    `INSERT INTO subdistricts (name, admin_code, district_id) VALUES ('柳园街道', '371502', (SELECT min(id) FROM districts))
     RETURNING id`,
  );
  const [canteen] = await ds.query(
    `INSERT INTO canteens (subdistrict_id, name, type, breakfast_price_fen, lunch_price_fen, dinner_price_fen,
                           period_hours)
     VALUES ($1, '东关国际幸福食堂', 'ENTERPRISE', 300, 1200, 1000,
             '{"BREAKFAST":["00:00","09:59"],"LUNCH":["10:00","15:59"],"DINNER":["16:00","23:59"]}') RETURNING id`,
    [sub.id],
  );
  const [user] = await ds.query(
    `INSERT INTO users (username, password_hash, role, subdistrict_id, display_name)
     VALUES ('cashier1', $1, 'CASHIER', $2, '罗小梅') RETURNING id`,
    [await hashPassword('bench-pass-1'), sub.id],
  );
  await ds.query(`INSERT INTO user_canteens (user_id, canteen_id) VALUES ($1, $2)`, [user.id, canteen.id]);
  const diners: NewDiner[] = [];
  for (let i = 0; i < SCANS; i++) {
    const idNumber = idNumberOf(i);
    const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
    diners.push({ subdistrictId: sub.id, name: `老人${i}`, idNumber, birthDate, sex: 'M' });
  }
  await insertDiners(ds, cipher, diners);
  await ds.destroy();

  const api = startNode(join(ROOT, 'dist', 'src', 'main.js'), env);
  const dir = mkdtempSync(join(tmpdir(), 'hc-bench-chromium-'));
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`${BASE}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 300) throw new Error('the API did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1024, height: 768 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      args: ['--no-sandbox', '--disable-gpu'],
    });
    const page = context.pages()[0] ?? (await context.newPage());

    // First load: log in at /till, then load /till again with the session (what a till opens every morning).
    await page.goto(`${BASE}/till`);
    await page.fill('input[name=username]', 'cashier1');
    await page.fill('input[name=password]', 'bench-pass-1');
    await page.keyboard.press('Enter');
    await page.locator('#scan').waitFor();
    const assets = new Set<string>();
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (/\.(js|css)$/.test(url.pathname)) assets.add(url.pathname);
    });
    await page.reload();
    await page.locator('#scan').waitFor();
    const files = [...assets].sort().map((path) => {
      const body = readFileSync(join(WEB_DIR, path));
      return { path, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
    });
    const gzipKB = files.reduce((a, f) => a + f.gzipBytes, 0) / 1024;

    // Enter in the scan field → the quote's name on screen, measured in the page.
    await page.evaluate(`(() => {
      window.__lat = [];
      document.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && e.target.id === 'scan') window.__t0 = performance.now();
      }, true);
      new MutationObserver(() => {
        const name = document.getElementById('q-name');
        if (name && window.__t0 !== undefined && name.textContent === window.__want) {
          window.__lat.push(performance.now() - window.__t0);
          window.__t0 = undefined;
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    for (let i = 0; i < SCANS; i++) {
      await page.evaluate(`window.__want = '老人${i}'`);
      await page.keyboard.type(idNumberOf(i), { delay: 0 });
      await page.keyboard.press('Enter');
      await page.locator('#q-name', { hasText: `老人${i}` }).waitFor();
      await page.keyboard.press('Escape');
      await page.locator('#quote').waitFor({ state: 'detached' });
    }
    const lat = (await page.evaluate<number[]>('window.__lat')).sort((a, b) => a - b);
    const warm = lat.slice(0); // every scan; the first includes the quote's prepared statements being planned
    const result = {
      date: new Date().toISOString(),
      machine: machine(),
      firstLoad: { files, gzipKB: Number(gzipKB.toFixed(1)) },
      enterToQuoteMs: {
        scans: warm.length,
        median: Number(percentile(warm, 50).toFixed(1)),
        p95: Number(percentile(warm, 95).toFixed(1)),
        max: Number(warm[warm.length - 1].toFixed(1)),
      },
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'till-page.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    await context.close();
  } finally {
    await stopProcess(api);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
