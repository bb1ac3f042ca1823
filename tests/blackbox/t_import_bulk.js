'use strict';
// Bulk import (issue 13): an import writes exactly one audit entry, "import"
// of the entity with the row count and the file's SHA-256, not one per row;
// the imported rows are in the search index; a refused import stores
// nothing (no rows, no index entries, no audit entry). Both backends.
const crypto = require('node:crypto');
const { test, assert, assertStatus, multipart, cli, sqlite, BACKEND } = require('./lib');

const VILLAGE = '511621101001';

async function importCsv(s, csv, name) {
    const m = multipart('file', name, 'text/csv', Buffer.from(csv, 'utf8'));
    return s.admin('POST', '/api/v1/injury_cases/import', { raw: m.body, headers: { 'Content-Type': m.contentType } });
}

async function importEntries(s) {
    const r = await s.admin('GET', '/api/v1/audit?entity=injury_cases&action=import&page_size=100');
    assertStatus(r, 200, 'GET /audit?action=import');
    return r.json.items;
}

async function searchTotal(s, q) {
    const r = await s.admin('GET', `/api/v1/injury_cases?q=${encodeURIComponent(q)}&page_size=1`);
    assertStatus(r, 200, `q=${q}`);
    return r.json.total;
}

function cards(n, tag, badRow) {
    const head = ['区域代码', '受伤日期', '性别', '年龄（岁）', '伤害原因', '伤害发生地点', '伤害意图', '备注'].join(',');
    const rows = [];
    // Spreadsheet row numbers: the header is row 1.
    for (let row = 2; row < n + 2; row++) {
        const traffic = row === badRow; // a traffic cause at home: refused
        rows.push([VILLAGE, '2025-05-01', '女', String(row % 90), traffic ? '机动车车祸' : '跌倒/坠落', '家中', '非故意（意外）', row % 3 === 0 ? `${tag}第${row}行` : ''].join(','));
    }
    return [head, ...rows].join('\n') + '\n';
}

test('an import of N rows writes one audit entry (rows, SHA-256 of the file); its rows are searchable; a refused import stores nothing', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.serverWith({});
    const n = 301;
    const tag = `批量标记${process.pid % 1000}`;
    const csv = cards(n, tag);
    const before = await importEntries(s);
    const r = await importCsv(s, csv, 'cards.csv');
    assertStatus(r, 200, 'the import');
    assert.strictEqual(r.json.accepted, n, 'every row accepted');
    const after = await importEntries(s);
    assert.strictEqual(after.length, before.length + 1, `one import entry: ${JSON.stringify(after.slice(0, 2))}`);
    const e = after.find((x) => !before.some((b) => b.id === x.id));
    assert.strictEqual(e.changes.rows, n, 'the entry counts the rows');
    assert.strictEqual(e.changes.sha256, crypto.createHash('sha256').update(Buffer.from(csv, 'utf8')).digest('hex'), "the file's SHA-256");
    assert.strictEqual(e.changes.kind, 'csv', 'the kind of file');
    // No entry per row.
    const perRow = await s.admin('GET', '/api/v1/audit?entity=injury_cases&page_size=100');
    assertStatus(perRow, 200, 'GET /audit?entity=injury_cases');
    assert.ok(perRow.json.items.filter((x) => x.action === 'import').length === after.length, 'only import entries of imports');
    assert.strictEqual(await searchTotal(s, tag), Math.floor((n + 1) / 3), 'the search finds the tagged rows');

    // Refused: row 12 is a traffic cause at home. Nothing stored.
    const count = async () => (await s.admin('GET', `/api/v1/injury_cases?region=${VILLAGE}&page_size=1`)).json.total;
    const n0 = await count();
    const tag2 = `拒绝标记${process.pid % 1000}`;
    const bad = await importCsv(s, cards(40, tag2, 12), 'bad.csv');
    assertStatus(bad, 422, 'the refused import');
    assert.strictEqual(bad.json.rows[0].row, 12, 'row 12 named');
    assert.ok(bad.json.rows[0].fields.place && bad.json.rows[0].fields.cause, 'the fields named');
    assert.strictEqual(await count(), n0, 'no rows stored');
    assert.strictEqual(await searchTotal(s, tag2), 0, 'no index entries');
    assert.strictEqual((await importEntries(s)).length, after.length, 'no audit entry');
});

// An import as large as the table it fills sets the table's indexes aside
// (SQLite, from 10,000 stored rows on) and builds them again at the end, in
// its transaction: a refusal after that point leaves the table and its
// indexes as they were, a success leaves every index, the aggregates equal
// to the rows, and `check` passing.
test('a large import (12,000 cards) builds the indexes once at the end: refused at its last row it stores nothing and keeps them; stored whole, check passes', { timeout: 300000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const n = 12000;
    const indexes = async () =>
        BACKEND === 'sqlite'
            ? (await sqlite(c.db, "SELECT name FROM sqlite_master WHERE tbl_name = 'injury_cases' AND type IN ('index', 'trigger') ORDER BY name")).trim()
            : '';
    const idx0 = await indexes();
    if (BACKEND === 'sqlite') assert.ok(idx0.includes('injury_cases_injured_on') && idx0.includes('injury_cases_agg_insert'), `the indexes and triggers: ${idx0}`);
    // One adult's card: no vulnerable group met in the whole import (the
    // aggregates' group dimension has no code). `check` at the end.
    const adult = ['区域代码,受伤日期,性别,年龄（岁）,伤害原因,伤害发生地点,伤害意图', `${VILLAGE},2025-04-30,男,30,跌倒/坠落,家中,非故意（意外）`].join('\n') + '\n';
    const one = await importCsv(s, adult, 'one.csv');
    assertStatus(one, 200, 'a one-card import');
    assert.strictEqual(one.json.accepted, 1, 'the card stored');

    const total = async () => (await s.admin('GET', '/api/v1/injury_cases?page_size=1')).json.total;
    const t0 = await total();
    const tag = `大批标记${process.pid % 1000}`;
    const bad = await importCsv(s, cards(n, tag, n), 'big-bad.csv');
    assertStatus(bad, 422, 'refused at its last row');
    assert.strictEqual(bad.json.rows[0].row, n, 'the last row named');
    assert.strictEqual(await total(), t0, 'nothing stored');
    assert.strictEqual(await indexes(), idx0, 'the indexes and triggers are as they were');
    const good = await importCsv(s, cards(n, tag), 'big.csv');
    assertStatus(good, 200, 'the import');
    assert.strictEqual(good.json.accepted, n, 'every row');
    assert.strictEqual(await total(), t0 + n, 'all stored');
    assert.strictEqual(await indexes(), idx0, 'every index and trigger is back');
    assert.strictEqual(await searchTotal(s, tag), Math.floor((n + 1) / 3), 'the search finds the tagged rows');
    // The newest first (the injured_on index's order) still lists them.
    const page = await s.admin('GET', `/api/v1/injury_cases?region=${VILLAGE}&sort=-injured_on&page_size=5`);
    assertStatus(page, 200, 'the list by date');
    assert.strictEqual(page.json.items[0].injured_on, '2025-05-01', 'sorted by date');
    await s.stop();
    const chk = await cli(['check', '--db', c.db]);
    assert.strictEqual(chk.code, 0, `check passes:\n${chk.stdout}`);
    assert.match(chk.stdout, /ok {3}the aggregate injury_cases_by_code equals the raw rows/);
    assert.match(chk.stdout, /ok {3}search index of injury_cases agrees with its table/);
});
