import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrations } from '../migrations';

describe('migrations/index.ts', () => {
  it('lists every migration file, in timestamp order, each named <timestamp>-<VerbThing>', () => {
    const files = readdirSync(join(__dirname, '..', 'migrations'))
      .filter((f) => f !== 'index.ts' && f.endsWith('.ts'))
      .sort();
    for (const f of files) expect(f).toMatch(/^\d{13}-[A-Z][A-Za-z]+\.ts$/);
    const expected = files.map((f) => {
      const [ts, rest] = f.replace(/\.ts$/, '').split('-');
      return `${rest}${ts}`;
    });
    expect(migrations.map((m) => m.name)).toEqual(expected);
  });
});
