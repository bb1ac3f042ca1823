'use strict';
// Acceptance: bulk import (and export).
//
// Row numbers: the import report names rows by the spreadsheet's own row
// numbers. The header is row 1 and the first data row is row 2, so the row
// reported as 7000 is the 6999th data row. The 10,000-row file below has its
// bad cell on spreadsheet row 7000.
const fs = require('node:fs');
const path = require('node:path');
const { test, assert, assertError, assertStatus, brief, demoRegions, mkxlsx, multipart, isXlsx, XLSX_MIME, RUN_TAG, xlsxCells } = require('./lib');

const REGION_HEADER = '区域代码';

// The volunteers' column headers (field labels) from meta/entities, with the
// brief's labels as a fallback.
async function labels(s) {
    const fallback = { name: '姓名', gender: '性别', phone: '联系电话', birth_date: '出生日期', team: '所属队伍', skills: '专业技能', joined_on: '加入日期', hours: '服务时长', note: '备注' };
    const r = await s.admin('GET', '/api/v1/meta/entities');
    if (r.status !== 200 || !r.json || !Array.isArray(r.json.items)) return fallback;
    const v = r.json.items.find((e) => e.name === 'volunteers');
    if (!v || !Array.isArray(v.fields)) return fallback;
    const out = Object.assign({}, fallback);
    for (const f of v.fields) if (f.label) out[f.name] = f.label;
    return out;
}

async function total(s, query) {
    const r = await s.admin('GET', `/api/v1/volunteers?page_size=1${query ? '&' + query : ''}`);
    assertStatus(r, 200, 'count volunteers');
    return r.json.total;
}

async function byName(s, name) {
    const r = await s.admin('GET', `/api/v1/volunteers?q=${encodeURIComponent(name)}&page_size=500`);
    assertStatus(r, 200, `q=${name}`);
    return r.json.items.filter((o) => o.name === name);
}

// All rows whose searchable text contains term, by name (pages through the list).
async function allByName(s, term) {
    const out = new Map();
    for (let page = 1; ; page++) {
        const r = await s.admin('GET', `/api/v1/volunteers?q=${encodeURIComponent(term)}&page_size=500&page=${page}&sort=created_at`);
        assertStatus(r, 200, `q=${term} page ${page}`);
        for (const o of r.json.items) {
            if (!out.has(o.name)) out.set(o.name, []);
            out.get(o.name).push(o);
        }
        if (r.json.items.length < 500 || page > 100) break;
    }
    return out;
}

function postFile(s, entity, query, { bytes, filename, type, form = true }) {
    const p = `/api/v1/${entity}/import${query ? '?' + query : ''}`;
    if (form) {
        const m = multipart('file', filename, type, bytes);
        return s.admin('POST', p, { raw: m.body, headers: { 'Content-Type': m.contentType }, timeout: 170000 });
    }
    return s.admin('POST', p, { raw: bytes, headers: { 'Content-Type': type }, timeout: 170000 });
}

function findRow(report, rowno) {
    return (report.rows || []).find((r) => r.row === rowno);
}

test('10,000-row xlsx with a bad cell on row 7000: all-or-nothing, then ?partial=1', { timeout: 175000 }, async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const L = await labels(s);
    const tag = `导入${RUN_TAG}`;
    const N = 10000;
    const BAD = 7000; // spreadsheet row number; data row 6999
    const lines = [[L.name, L.gender, L.birth_date, L.hours, REGION_HEADER].join(',')];
    for (let row = 2; row <= N + 1; row++) {
        const hours = row === BAD ? 'abc' : `N:${row % 500}`;
        const birth = `D:${1950 + (row % 50)}-${String(1 + (row % 12)).padStart(2, '0')}-${String(1 + (row % 28)).padStart(2, '0')}`;
        lines.push([`${tag}-${row}号`, row % 2 ? '男' : '女', birth, hours, reg.village].join(','));
    }
    const xlsxPath = path.join(ctx.tmpDir(), 'vol10k.xlsx');
    const bytes = await mkxlsx(lines.join('\n') + '\n', xlsxPath);
    const before = await total(s);

    // All-or-nothing: 422, row 7000 and the hours field named, nothing stored.
    const r = await postFile(s, 'volunteers', '', { bytes, filename: 'vol10k.xlsx', type: XLSX_MIME });
    const e = assertError(r, 422, null, 'import with a bad row');
    assert.strictEqual(e.code, 'import_failed', 'error.code');
    assert.strictEqual(r.json.total, N, `report total: ${brief(r)}`);
    assert.strictEqual(r.json.accepted, 0, 'report accepted');
    assert.ok(Array.isArray(r.json.rows), `no rows in the report: ${brief(r)}`);
    const bad = findRow(r.json, BAD);
    assert.ok(bad, `row ${BAD} not reported; rows: ${JSON.stringify(r.json.rows).slice(0, 300)}`);
    assert.ok(bad.fields && typeof bad.fields.hours === 'string' && bad.fields.hours, `row ${BAD} does not name hours: ${JSON.stringify(bad)}`);
    assert.strictEqual(r.json.rows.length, 1, `more than one row reported: ${JSON.stringify(r.json.rows).slice(0, 300)}`);
    assert.strictEqual(await total(s), before, 'a failed import stored rows');
    assert.strictEqual(await total(s, `q=${encodeURIComponent(tag)}`), 0, 'a failed import stored rows');

    // ?partial=1 (raw xlsx body this time): 9,999 stored.
    const t0 = Date.now();
    const p = await postFile(s, 'volunteers', 'partial=1', { bytes, type: XLSX_MIME, form: false });
    assertStatus(p, 200, 'partial import');
    ctx.note(`partial import of ${N} xlsx rows took ${Date.now() - t0} ms`);
    assert.strictEqual(p.json.total, N, 'partial total');
    assert.strictEqual(p.json.accepted, N - 1, 'partial accepted');
    assert.strictEqual(p.json.rejected, 1, 'partial rejected');
    const pbad = findRow(p.json, BAD);
    assert.ok(pbad && pbad.fields && pbad.fields.hours, `partial: row ${BAD} not reported with hours: ${JSON.stringify(p.json.rows).slice(0, 300)}`);
    assert.strictEqual(await total(s), before + N - 1, 'count after partial import');
    assert.strictEqual(await total(s, `q=${encodeURIComponent(tag)}`), N - 1, 'tagged count after partial import');
    const stored = await allByName(s, tag);
    assert.ok(!stored.has(`${tag}-${BAD}号`), 'the bad row was stored');
    for (const row of [2, BAD - 1, BAD + 1, N + 1]) {
        const found = stored.get(`${tag}-${row}号`) || [];
        assert.strictEqual(found.length, 1, `row ${row} stored ${found.length} times`);
        const o = found[0];
        assert.strictEqual(o.gender, row % 2 ? '1' : '2', `row ${row}: gender from its label`);
        const birth = `${1950 + (row % 50)}-${String(1 + (row % 12)).padStart(2, '0')}-${String(1 + (row % 28)).padStart(2, '0')}`;
        assert.strictEqual(o.birth_date, birth, `row ${row}: Excel date`);
        assert.strictEqual(o.hours, row % 500, `row ${row}: hours`);
        assert.strictEqual(o.region, reg.village, `row ${row}: region`);
        assert.ok(o.created_at && o.created_by, `row ${row}: created_at/created_by`);
    }
});

test('CSV import as text/csv: labels for dict codes, BOM, CRLF, quoting; row errors', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const L = await labels(s);
    const tag = `CSV${RUN_TAG}`;
    const q = (v) => `"${String(v).replace(/"/g, '""')}"`;
    // One heading names no column (a misspelling): the report names it.
    const head = [L.name, L.gender, L.birth_date, L.note, L.skills, L.hours, REGION_HEADER, '服务时常'].join(',');
    const good = [
        [`${tag}甲`, '男', '1985-07-08', '红袖标队', q('急救, 消防'), '12', reg.village, '9'],
        [`${tag}乙`, '女', '1990-12-31', q('"平安"巡逻队'), '心理疏导', '0', reg.village2, ''],
        [`${tag}丙`, '女', '', '', q('多行\n文本'), '3.5', reg.township, ''],
    ];
    const csv = '\ufeff' + [head, ...good.map((r) => r.join(','))].join('\r\n') + '\r\n';
    const before = await total(s);
    const r = await postFile(s, 'volunteers', '', { bytes: Buffer.from(csv, 'utf8'), type: 'text/csv; charset=utf-8', form: false });
    assertStatus(r, 200, 'CSV import');
    assert.strictEqual(r.json.total, 3, 'total');
    assert.strictEqual(r.json.accepted, 3, 'accepted');
    assert.deepStrictEqual(r.json.ignored_columns, ['服务时常'], 'the heading that names no column');
    assert.strictEqual(await total(s), before + 3, 'count after CSV import');
    const a = (await byName(s, `${tag}甲`))[0];
    assert.ok(a, 'row 甲 not stored');
    assert.strictEqual(a.gender, '1');
    assert.strictEqual(a.gender_label, '男');
    assert.strictEqual(a.birth_date, '1985-07-08');
    assert.strictEqual(a.skills, '急救, 消防');
    assert.strictEqual(a.hours, 12);
    const b = (await byName(s, `${tag}乙`))[0];
    assert.ok(b, 'row 乙 not stored');
    assert.strictEqual(b.gender, '2');
    assert.strictEqual(b.note, '"平安"巡逻队');
    assert.strictEqual(b.region, reg.village2);
    const c = (await byName(s, `${tag}丙`))[0];
    assert.ok(c, 'row 丙 not stored');
    assert.strictEqual(c.skills, '多行\n文本');
    assert.strictEqual(c.hours, 3.5);
    assert.ok(c.birth_date === null || c.birth_date === undefined || c.birth_date === '', 'an empty date cell');

    // Bad rows: row 3 has an unknown gender label, row 5 no name, row 6 a bad
    // region and a bad date (two fields). All-or-nothing, then partial.
    const rows = [
        [`${tag}丁`, '男', '1970-01-01', '', '', '1', reg.village], // row 2
        [`${tag}戊`, '未知', '1970-01-01', '', '', '1', reg.village], // row 3: gender
        [`${tag}己`, '女', '1970-01-01', '', '', '1', reg.village], // row 4
        ['', '女', '1970-01-01', '', '', '1', reg.village], // row 5: name
        [`${tag}庚`, '女', '1970-02-30', '', '', '1', '999999999999'], // row 6: birth_date, region
    ];
    const csv2 = [head, ...rows.map((x) => x.join(','))].join('\n') + '\n';
    const before2 = await total(s);
    const r2 = await postFile(s, 'volunteers', '', { bytes: Buffer.from(csv2, 'utf8'), filename: 'v.csv', type: 'text/csv' });
    const e2 = assertError(r2, 422, null, 'CSV with bad rows');
    assert.strictEqual(e2.code, 'import_failed');
    assert.strictEqual(r2.json.total, 5);
    assert.strictEqual(r2.json.accepted, 0);
    assert.deepStrictEqual(r2.json.rows.map((x) => x.row).sort((x, y) => x - y), [3, 5, 6], `reported rows: ${JSON.stringify(r2.json.rows)}`);
    assert.ok(findRow(r2.json, 3).fields.gender, 'row 3 does not name gender');
    assert.ok(findRow(r2.json, 5).fields.name, 'row 5 does not name name');
    const f6 = findRow(r2.json, 6).fields;
    assert.ok(f6.birth_date || f6.region, `row 6 names neither birth_date nor region: ${JSON.stringify(f6)}`);
    assert.strictEqual(await total(s), before2, 'a failed CSV import stored rows');
    const p2 = await postFile(s, 'volunteers', 'partial=1', { bytes: Buffer.from(csv2, 'utf8'), filename: 'v.csv', type: 'text/csv' });
    assertStatus(p2, 200, 'partial CSV import');
    assert.strictEqual(p2.json.accepted, 2);
    assert.strictEqual(p2.json.rejected, 3);
    assert.strictEqual(await total(s), before2 + 2, 'count after partial CSV import');
    assert.strictEqual((await byName(s, `${tag}丁`)).length, 1);
    assert.strictEqual((await byName(s, `${tag}己`)).length, 1);
    // Per-field errors: a row with two bad cells names both.
    assert.ok(f6.birth_date && f6.region, `row 6 (bad date and bad region) does not name both: ${JSON.stringify(f6)}`);
});

test('xlsx with inline strings (mkxlsx --inline) and activities import', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const meta = (await s.admin('GET', '/api/v1/meta/entities')).json;
    const act = meta && meta.items && meta.items.find((e) => e.name === 'activities');
    assert.ok(act, 'no activities in meta/entities');
    const L = Object.fromEntries(act.fields.map((f) => [f.name, f.label]));
    const tag = `内联${RUN_TAG}`;
    const csv =
        [L.title, L.kind, L.held_on, L.participants, L.place, REGION_HEADER].join(',') +
        '\n' +
        [`${tag}一`, '培训', 'D:2025-03-04', 'N:30', '村委会', reg.village].join(',') +
        '\n' +
        [`${tag}二`, '应急演练', 'D:2025-12-31', 'N:0', '学校', reg.village].join(',') +
        '\n';
    const bytes = await mkxlsx(csv, path.join(ctx.tmpDir(), 'inline.xlsx'), { inline: true });
    const r = await postFile(s, 'activities', '', { bytes, filename: 'inline.xlsx', type: XLSX_MIME });
    assertStatus(r, 200, 'inline xlsx import');
    assert.strictEqual(r.json.accepted, 2);
    const l = await s.admin('GET', `/api/v1/activities?q=${encodeURIComponent(tag)}&sort=held_on`);
    assert.deepStrictEqual(l.json.items.map((o) => [o.title, o.kind, o.held_on, o.participants]), [
        [`${tag}一`, 'training', '2025-03-04', 30],
        [`${tag}二`, 'drill', '2025-12-31', 0],
    ]);
    // A missing required column fails the whole file with a message.
    const noKind = [L.title, L.held_on, REGION_HEADER].join(',') + '\n' + [`${tag}三`, '2025-01-01', reg.village].join(',') + '\n';
    const r2 = await postFile(s, 'activities', '', { bytes: Buffer.from(noKind), filename: 'a.csv', type: 'text/csv' });
    assertError(r2, [400, 422], null, 'a file without the kind column');
});

test('broken upload files are 4xx, never 5xx', { timeout: 60000 }, async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const good = await mkxlsx(`姓名,${REGION_HEADER}\n坏文件,${reg.village}\n`, path.join(ctx.tmpDir(), 'g.xlsx'));
    const files = {
        'random bytes as xlsx': [Buffer.from('this is not a zip file at all'), XLSX_MIME],
        'truncated xlsx': [good.subarray(0, Math.floor(good.length / 2)), XLSX_MIME],
        'zip magic then garbage': [Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(200, 0xff)]), XLSX_MIME],
        'CSV in GBK': [Buffer.from([0xd0, 0xd5, 0xc3, 0xfb, 0x0a, 0xd5, 0xc5, 0xc8, 0xfd, 0x0a]), 'text/csv'],
        'empty file': [Buffer.alloc(0), 'text/csv'],
    };
    const failures = [];
    for (const [what, [bytes, type]] of Object.entries(files)) {
        for (const form of [true, false]) {
            const r = await postFile(s, 'volunteers', '', { bytes, filename: 'x.' + (type === 'text/csv' ? 'csv' : 'xlsx'), type, form });
            const label = `${what} (${form ? 'multipart' : 'raw'})`;
            try {
                if (what === 'empty file' && r.status === 200) {
                    assert.strictEqual(r.json.accepted, 0, 'empty file accepted rows');
                } else {
                    assertError(r, [400, 413, 415, 422], null);
                }
            } catch (e) {
                failures.push(`${label}: ${e.message}`);
            }
        }
    }
    // Unauthenticated upload.
    const m = multipart('file', 'g.xlsx', XLSX_MIME, good);
    const u = await s.api('POST', '/api/v1/volunteers/import', { raw: m.body, headers: { 'Content-Type': m.contentType } });
    try {
        assertError(u, 401, null);
    } catch (e) {
        failures.push(`unauthenticated: ${e.message}`);
    }
    if (failures.length) throw new Error(failures.join('\n'));
    assertStatus(await s.api('GET', '/healthz'), 200, 'healthz afterwards');
});

test('export.xlsx and import-template.xlsx', { timeout: 90000 }, async (ctx) => {
    const s = await ctx.server();
    for (const entity of ['volunteers', 'activities']) {
        const all = await s.admin('GET', `/api/v1/${entity}/export.xlsx`);
        assertStatus(all, 200, `GET ${entity}/export.xlsx`);
        assert.ok(isXlsx(all.bytes), `${entity} export is not an xlsx (${all.bytes.length} bytes)`);
        assert.ok((all.headers['content-type'] || '').includes('spreadsheetml'), `${entity} export content type: ${all.headers['content-type']}`);
        const filtered = await s.admin('GET', `/api/v1/${entity}/export.xlsx?${entity === 'activities' ? 'kind=training' : 'gender=2'}`);
        assertStatus(filtered, 200, `${entity} filtered export`);
        assert.ok(isXlsx(filtered.bytes));
        assert.ok(filtered.bytes.length < all.bytes.length, `${entity}: filtered export (${filtered.bytes.length}) not smaller than all (${all.bytes.length})`);
        const empty = await s.admin('GET', `/api/v1/${entity}/export.xlsx?q=${encodeURIComponent('无此内容' + RUN_TAG)}`);
        assertStatus(empty, 200, `${entity} empty export`);
        assert.ok(isXlsx(empty.bytes));
        assert.ok(empty.bytes.length < filtered.bytes.length, `${entity}: empty export not smaller`);
        assertError(await s.admin('GET', `/api/v1/${entity}/export.xlsx?nosuch=1`), 400, null, `${entity} export unknown filter`);
        assertError(await s.api('GET', `/api/v1/${entity}/export.xlsx`), 401, null, `${entity} export without token`);
        const t = await s.admin('GET', `/api/v1/${entity}/import-template.xlsx`);
        assertStatus(t, 200, `GET ${entity}/import-template.xlsx`);
        assert.ok(isXlsx(t.bytes), `${entity} template is not an xlsx`);
        assert.ok(t.bytes.length < all.bytes.length, 'the template is bigger than the full export');
    }
});

test('an exported sheet imports again (round trip)', { timeout: 90000 }, async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const tag = `往返${RUN_TAG}`;
    for (let i = 0; i < 3; i++) {
        assertStatus(
            await s.admin('POST', '/api/v1/volunteers', { body: { name: `${tag}${i}`, gender: String(1 + (i % 2)), birth_date: `1980-01-0${i + 1}`, hours: i * 1.5, region: reg.village } }),
            201,
            'create'
        );
    }
    const ex = await s.admin('GET', `/api/v1/volunteers/export.xlsx?q=${encodeURIComponent(tag)}`);
    assertStatus(ex, 200, 'export');
    assert.ok(isXlsx(ex.bytes));
    // 创建人 is the person's display name, as on the detail page, not a login.
    const cells = xlsxCells(ex.bytes);
    const byCol = cells[0].indexOf('创建人');
    assert.ok(byCol >= 0, `no 创建人 column: ${cells[0].join(',')}`);
    const mine = (await byName(s, `${tag}0`))[0];
    assert.ok(mine.created_by_name && mine.created_by_name !== mine.created_by, `created_by_name ${mine.created_by_name} for ${mine.created_by}`);
    assert.deepStrictEqual(cells.slice(1, 4).map((row) => row[byCol]), [mine.created_by_name, mine.created_by_name, mine.created_by_name]);
    // The last row adds up 服务时长 (a quantity), and nothing else.
    const hoursCol = cells[0].indexOf('服务时长（小时）');
    assert.strictEqual(cells.length, 5, 'three volunteers and the 合计 row');
    assert.strictEqual(cells[4][0], '合计');
    assert.strictEqual(cells[4][hoursCol], 0 + 1.5 + 3);
    assert.strictEqual(cells[4].filter((c) => c !== undefined).length, 2, `the 合计 row: ${JSON.stringify(cells[4])}`);
    // The demo's own rows say 系统.
    const demoRows = xlsxCells((await s.admin('GET', '/api/v1/volunteers/export.xlsx')).bytes).slice(1, -1).map((row) => row[byCol]);
    assert.ok(demoRows.includes('系统'), `no row by 系统 in ${[...new Set(demoRows)].join(',')}`);
    assert.ok(!demoRows.includes('demo') && !demoRows.includes('admin'), `a login shown as 创建人: ${[...new Set(demoRows)].join(',')}`);
    const r = await postFile(s, 'volunteers', '', { bytes: ex.bytes, filename: 'export.xlsx', type: XLSX_MIME });
    assertStatus(r, 200, 'importing the export');
    assert.strictEqual(r.json.accepted, 3);
    for (let i = 0; i < 3; i++) {
        const found = await byName(s, `${tag}${i}`);
        assert.strictEqual(found.length, 2, `${tag}${i} stored ${found.length} times`);
        assert.strictEqual(found[0].birth_date, found[1].birth_date);
        assert.strictEqual(found[0].gender, found[1].gender);
        assert.strictEqual(found[0].hours, found[1].hours);
        assert.strictEqual(found[0].region, found[1].region);
    }
});

// A field stored as a code or an id (a help visit's person, its worker's
// login) is exported as stored, for the sheet to import again, and beside it
// in words as the page says it; importing the export does not name the
// words' columns as left out.
test('an export says in words what a field stores as an id or a login, beside it; the sheet imports again', { timeout: 90000 }, async (ctx) => {
    const s = await ctx.server();
    const v = (await s.admin('GET', '/api/v1/help_visits?page_size=1')).json.items[0];
    assert.ok(v && v.subject_id_text && v.worker_text, `a visit with its names: ${JSON.stringify(v)}`);
    const ex = await s.admin('GET', `/api/v1/help_visits/export.xlsx?subject_id=${v.subject_id}`);
    assertStatus(ex, 200, 'export');
    const cells = xlsxCells(ex.bytes);
    const h = cells[0];
    const subj = h.indexOf('帮教对象');
    const worker = h.indexOf('走访人');
    assert.ok(subj > 0 && worker > 0, `headings: ${h.join(',')}`);
    assert.strictEqual(h[subj + 1], '帮教对象（名称）');
    assert.strictEqual(h[worker + 1], '走访人（名称）');
    const row = cells.slice(1).find((r) => r[0] === v.id);
    assert.ok(row, `visit ${v.id} not in the export`);
    assert.strictEqual(row[subj], v.subject_id);
    assert.strictEqual(row[subj + 1], v.subject_id_text);
    assert.strictEqual(row[worker], v.worker);
    assert.strictEqual(row[worker + 1], v.worker_text);
    assert.notStrictEqual(v.worker_text, v.worker, 'the worker named by the login');
    const r = await postFile(s, 'help_visits', '', { bytes: ex.bytes, filename: 'export.xlsx', type: XLSX_MIME });
    assertStatus(r, 200, 'importing the export');
    assert.strictEqual(r.json.accepted, cells.length - 1);
    for (const c of ['帮教对象（名称）', '走访人（名称）'])
        assert.ok(!r.json.ignored_columns.includes(c), `${c} named as left out: ${r.json.ignored_columns}`);
});

// Which figures add up is declared once (FF_SUM): the meta tells the list's
// 本页合计, and the export's 合计 row adds the same columns.
test('quantities add up in 合计, ages and years do not: GET /meta/entities says "sum", the export adds those columns', async (ctx) => {
    const s = await ctx.server();
    const meta = (await s.admin('GET', '/api/v1/meta/entities')).json.items;
    const field = (e, f) => meta.find((x) => x.name === e).fields.find((x) => x.name === f);
    for (const [e, f] of [['incidents', 'deaths'], ['incidents', 'loss'], ['volunteers', 'hours'], ['donations', 'amount']])
        assert.strictEqual(field(e, f).sum, true, `${e}.${f} adds up`);
    for (const [e, f] of [['injury_cases', 'age'], ['projects', 'year'], ['regions', 'population'], ['surveys', 'rate'], ['risks', 'lec_d']])
        assert.ok(!field(e, f).sum, `${e}.${f} does not add up`);
    const list = (await s.admin('GET', '/api/v1/incidents?page_size=1&occurred_on_from=2025-01-01&occurred_on_to=2025-12-31')).json;
    const ex = await s.admin('GET', '/api/v1/incidents/export.xlsx?occurred_on_from=2025-01-01&occurred_on_to=2025-12-31');
    assertStatus(ex, 200, 'export');
    const cells = xlsxCells(ex.bytes);
    const last = cells[cells.length - 1];
    assert.strictEqual(last[0], '合计');
    assert.strictEqual(cells.length - 2, list.total, 'every record and the 合计 row');
    const deaths = cells[0].indexOf('死亡人数');
    const sum = cells.slice(1, -1).reduce((a, r) => a + (r[deaths] || 0), 0);
    assert.ok(sum > 0, 'the demo has deaths in 2025');
    assert.strictEqual(last[deaths], sum);
    assert.strictEqual(last[cells[0].indexOf('发生日期')], undefined, 'a date is not added up');
});
