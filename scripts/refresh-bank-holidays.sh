#!/usr/bin/env bash
# Refresh the bank holidays the statutory clock uses (src/statutory/data/bank-holidays.json) from
# the published GOV.UK list. Run by a person with internet access; review the diff and commit it.
# The file keeps GOV.UK's format (england-and-wales, scotland, northern-ireland divisions), and the
# published list only reaches a few years back, so years already in the file and missing from the
# download are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
target=src/statutory/data/bank-holidays.json
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
curl --fail --silent --show-error --location https://www.gov.uk/bank-holidays.json -o "$tmp"
node - "$target" "$tmp" <<'JS'
const fs = require('node:fs');
const [target, fresh] = process.argv.slice(2);
const old = JSON.parse(fs.readFileSync(target, 'utf8'));
const now = JSON.parse(fs.readFileSync(fresh, 'utf8'));
for (const division of ['england-and-wales', 'scotland', 'northern-ireland']) {
  if (!now[division] || !Array.isArray(now[division].events)) throw new Error(`the download has no ${division} division`);
  const years = new Set(now[division].events.map((e) => e.date.slice(0, 4)));
  const kept = (old[division]?.events ?? []).filter((e) => !years.has(e.date.slice(0, 4)));
  now[division].events = [...kept, ...now[division].events].sort((a, b) => a.date.localeCompare(b.date));
}
fs.writeFileSync(target, JSON.stringify(now, null, 1) + '\n');
console.log(`bank holidays refreshed: ${target}`);
JS
