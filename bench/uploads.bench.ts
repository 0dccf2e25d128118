/**
 * Uploads bench (issue 17; not a timed test). Starts a throwaway PostgreSQL and Redis, migrates,
 * starts the real API process (dist/src/main.js), and while each hostile upload of up to 20 MiB
 * is processed, probes GET /health/live every 10 ms from the same machine. Reports per upload:
 * its answer and time, the slowest and p99 probe, and the API process's peak memory (VmHWM).
 * Target: every probe within 100 ms; memory bounded.
 *
 *   make bench-uploads
 *
 * Writes a markdown report to bench/out/uploads-<time>.md.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { hashPassword } from '../src/users/password';
import { freePort } from '../test/support/servers';
import { zipOf } from '../test/support/zip';
import { benchOutDir, log, repoRoot, startBenchServers } from './bench-db';

const MiB = 1024 * 1024;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = 'reference,title,organisation,thematic_area,grade,fte,establishment_status,scope,scope_reason';

const PROBER = `
const url = process.argv[1];
const times = [];
let stop = false;
process.on('message', () => (stop = true));
(async () => {
  while (!stop) {
    const t0 = performance.now();
    await fetch(url).then((r) => r.arrayBuffer());
    times.push(performance.now() - t0);
    if (times.length === 1) process.send('ready');
    await new Promise((r) => setTimeout(r, 10));
  }
  process.send(times.slice(1), () => process.exit(0));
})();
`;

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

function xlsxOfRows(rows: number): Buffer {
  const sheet = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
      Array.from({ length: rows }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>x</t></is></c></row>`).join('') +
      `</sheetData></worksheet>`,
  );
  return zipOf([
    { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>') },
    { name: '_rels/.rels', data: Buffer.from('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>') },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: Buffer.from('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
    },
    {
      name: 'xl/workbook.xml',
      data: Buffer.from('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Posts" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    },
    { name: 'xl/sharedStrings.xml', data: Buffer.from('<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>') },
    { name: 'xl/worksheets/sheet1.xml', data: sheet },
  ]);
}

async function main(): Promise<void> {
  const root = repoRoot();
  const outDir = benchOutDir();
  const bench = await startBenchServers({ database: 'wtt_bench_uploads' });
  const { dbUrl, redis } = bench;
  try {
    const sql = new Client({ connectionString: dbUrl });
    await sql.connect();
    const password = `bench-${randomBytes(8).toString('hex')}`;
    const hash = await hashPassword(password);
    await sql.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ('admin@bench.example', 'Bench admin', 'admin', $1), ('hr@bench.example', 'Bench HR', 'hr_officer', $1)`, [hash]);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = bench.process(
      spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
        env: { ...process.env, NODE_ENV: 'development', DATABASE_URL: dbUrl, REDIS_URL: redis.url, PORT: String(port), LOG_LEVEL: 'warn', THROTTLE_LIMIT: '1000000', JWT_SECRET: randomBytes(24).toString('hex') },
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    );
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`${base}/health/live`)).ok) break;
      } catch {
        /* starting */
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const token = async (email: string) =>
      ((await (await fetch(`${base}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })).json()) as { accessToken: string }).accessToken;
    const adminToken = await token('admin@bench.example');
    const hrToken = await token('hr@bench.example');
    const post = async (t: string, url: string, body: unknown) =>
      (await (await fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: JSON.stringify(body) })).json()) as { id: string };
    const council = await post(adminToken, '/api/v1/organisations', { name: 'Bench Council', shortName: 'BC', kind: 'council', status: 'active' });
    const ccg = await post(adminToken, '/api/v1/organisations', { name: 'Bench CCG', shortName: 'BCCG', kind: 'merged_ccg', status: 'proposed' });
    const programme = await post(adminToken, '/api/v1/programmes', { name: 'Bench programme', destinationOrganisationId: ccg.id, sourceOrganisationIds: [council.id], goLiveDate: '2017-04-01' });
    const importUrl = `${base}/api/v1/programmes/${programme.id}/posts/import?dryRun=true`;

    const wideRow = (i: number) => `REF-${i},${'T'.repeat(150)},Nowhere Council,Space,G99,1,filled,,`;
    const lines = Buffer.from(`reference\r\n${'x\r\n'.repeat(Math.floor((20 * MiB - 11) / 3))}`);
    const cases: { name: string; file: Buffer; filename: string; type: string }[] = [
      { name: 'CSV, 20 MiB of one-cell lines (7M lines), first upload after start', file: lines, filename: 'lines.csv', type: 'text/csv' },
      { name: 'CSV, 20 MiB of one-cell lines (7M lines)', file: Buffer.from(`reference\r\n${'x\r\n'.repeat(Math.floor((20 * MiB - 11) / 3))}`), filename: 'lines.csv', type: 'text/csv' },
      {
        name: 'CSV, 20 MiB: 100,000 wide rows, every row invalid (full validation)',
        file: Buffer.from(`${HEADER}\r\n${Array.from({ length: 100_000 }, (_, i) => wideRow(i)).join('\r\n')}\r\n`.slice(0, 20 * MiB)),
        filename: 'wide.csv',
        type: 'text/csv',
      },
      { name: 'XLSX zip bomb: 200 KiB declaring 200 MiB', file: zipOf([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(200 * MiB, 0x20) }]), filename: 'bomb.xlsx', type: XLSX },
      { name: 'XLSX, 700,000 rows (48 MiB unzipped) streamed to the row cap', file: xlsxOfRows(700_000), filename: 'rows.xlsx', type: XLSX },
    ];

    const results: string[] = [];
    for (const c of cases) {
      // The prober is its own process, so the client's own work (sending 20 MiB) never delays a probe.
      const prober = spawn(process.execPath, ['-e', PROBER, `${base}/health/live`], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
      await new Promise((r) => prober.once('message', r)); // first probe done
      const form = new FormData();
      form.append('file', new Blob([c.file], { type: c.type }), c.filename);
      const t0 = performance.now();
      const res = await fetch(importUrl, { method: 'POST', headers: { authorization: `Bearer ${hrToken}` }, body: form });
      const text = await res.text();
      const took = performance.now() - t0;
      const probes = await new Promise<number[]>((r) => {
        prober.once('message', (m) => r(m as number[]));
        prober.send('stop');
      });
      const sorted = [...probes].sort((a, b) => a - b);
      const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
      const line = `| ${c.name} | ${(c.file.length / MiB).toFixed(1)} MiB | ${res.status} ${(JSON.parse(text).message ?? '').slice(0, 60)} | ${Math.round(took)} ms | ${probes.length} | ${p99.toFixed(1)} ms | ${sorted[sorted.length - 1].toFixed(1)} ms | ${peakRssMiB(api.pid!)} MiB |`;
      log(line);
      results.push(line);
    }
    const report = [
      `# Uploads bench (${new Date().toISOString()})`,
      '',
      `Command: \`${process.env.BENCH_COMMAND ?? 'node dist/bench/uploads.bench.js'}\`; ${cpus().length} × ${cpus()[0]?.model}; Linux ${release()}; Node ${process.version}.`,
      '',
      '| upload | size | answer | time | probes | probe p99 | probe max | API peak RSS |',
      '|---|---|---|---|---|---|---|---|',
      ...results,
      '',
    ].join('\n');
    writeFileSync(join(outDir, `uploads-${new Date().toISOString().replace(/[:.]/g, '-')}.md`), report);
    console.log(report);
    await sql.end();
  } finally {
    await bench.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
