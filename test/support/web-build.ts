import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
// What the built app is made of: the app itself and the server modules it imports (labels, money, pure rules).
const SOURCES = ['web/src', 'web/index.html', 'web/vite.config.mts', 'src/common', 'src/meals/meal-rules.ts'];

function newest(path: string): number {
  const full = join(ROOT, path);
  if (!existsSync(full)) return 0;
  const st = statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(full).map((name) => newest(join(path, name))));
}

/**
 * Builds the web app into web/dist when it is missing or older than its sources, so the page tests always drive the
 * app as it is (a fresh clone has no built app). Called once per jest run, from the global setup.
 */
export function ensureWebBuilt(): void {
  const built = join(ROOT, 'web', 'dist', 'index.html');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  if (builtAt > Math.max(...SOURCES.map(newest))) return;
  execFileSync(
    join(ROOT, 'node_modules', '.bin', 'vite'),
    ['build', '--config', 'web/vite.config.mts', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    },
  );
}
