import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');

// scripts/load-env.sh, as scripts/run.sh uses it: the environment wins over .env, for every setting.
describe('scripts/load-env.sh', () => {
  const envFile = join(mkdtempSync(join(tmpdir(), 'hc-env-')), '.env');
  writeFileSync(
    envFile,
    ['# a comment', 'PORT=3000', 'LOG_LEVEL=info', 'SUBDISTRICT_NAME="柳园街道"', "QUOTED='a b'", 'EMPTY=', ''].join(
      '\n',
    ),
  );
  const load = (env: Record<string, string>): Record<string, string> => {
    const out = execFileSync(
      'bash',
      [
        '-c',
        `. scripts/load-env.sh "$1"; printf '%s\\n' "$PORT" "$LOG_LEVEL" "$SUBDISTRICT_NAME" "$QUOTED" "\${EMPTY-unset}"`,
        '_',
        envFile,
      ],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
    );
    const [port, level, sub, quoted, empty] = out.split('\n');
    return { port, level, sub, quoted, empty };
  };

  it('takes what the environment does not set from the file, unquoted', () => {
    expect(load({})).toEqual({ port: '3000', level: 'info', sub: '柳园街道', quoted: 'a b', empty: '' });
  });

  it('keeps a variable the environment sets, even to an empty value', () => {
    expect(load({ PORT: '3100', LOG_LEVEL: '' })).toMatchObject({ port: '3100', level: '' });
  });
});
