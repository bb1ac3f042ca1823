'use strict';
// Issue 12 ("Hardening"), the ways out:
// 1. nothing a reader without the reveal is given (a record, the list, the
//    Excel export, the CLI's CSV export, the work summary), and nothing
//    stored in clear, rebuilds a sensitive value: every sensitive field of
//    every entity, from GET /api/v1/meta/entities;
// 6. every export, download and report, from the API and the CLI, writes an
//    audit entry: who, what, which filter, how many rows;
// 7. a CSV cell never runs as a formula, and an exported CSV imports back.
const fs = require('node:fs');
const path = require('node:path');
const { test, assert, assertStatus, idNumber, xlsxText, parseCsv, multipart, fileHas, sqlite, backend, RUN_TAG } = require('./lib');

const VILLAGE = '511621101001';
const BIRTH = '1930-11-27'; // no demo record is born that day
const GENDER_MALE = '1';

// Known values for a sensitive field of each kind.
function known(kind, n) {
    const seq = String(100 + ((parseInt(RUN_TAG, 36) + n) % 800)).padStart(3, '0');
    switch (kind) {
        case 'idcard':
            // Born BIRTH in the record's county, an odd 17th digit (male).
            return idNumber(`${VILLAGE.slice(0, 6)}${BIRTH.replace(/-/g, '')}${seq.slice(0, 2)}7`);
        case 'phone':
            return `138${String(10000000 + ((parseInt(RUN_TAG, 36) * 7919 + n) % 89999999)).padStart(8, '0')}`;
        case 'date':
            return BIRTH;
        default:
            return `柏坪村幸福路${seq}号${RUN_TAG}${n}`;
    }
}

// A value for a required plain field.
async function filler(s, f, tag) {
    switch (f.type) {
        case 'region':
            return VILLAGE;
        case 'dict': {
            const d = await s.admin('GET', `/api/v1/dicts/${f.dict}`);
            assertStatus(d, 200, `dict ${f.dict}`);
            return d.json.items[0].code;
        }
        case 'int':
        case 'num':
            return f.min !== undefined ? f.min : 1;
        case 'bool':
            return false;
        case 'date':
            return '2025-03-05';
        default:
            return tag;
    }
}

// Every form in which a date may be written.
function dateForms(d) {
    const [y, m, day] = d.split('-');
    return [d, `${y}${m}${day}`, `${y}/${m}/${day}`, `${y}年${m}月${day}日`, `${y}/${+m}/${+day}`, `${y}年${+m}月${+day}日`];
}

// Whether an ID number is determined by what text gives: its masked form
// (any 18-character run of digits, X and * agreeing with it), the record's
// region, a clear birth date and the sex. The check digit fixes one more
// unknown digit.
function idDetermined(id, text, region, gender) {
    if (text.includes(id)) return `the number itself`;
    const masks = (text.match(/[0-9X*]{18}/g) || []).filter((m) => m.includes('*') && [...m].every((c, i) => c === '*' || c === id[i]));
    const birthClear = dateForms(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`).some((f) => text.includes(f));
    for (const m of masks.length ? masks : ['*'.repeat(18)]) {
        const unknown = [];
        for (let i = 0; i < 18; i++) {
            if (m[i] !== '*') continue;
            if (i < 6 && region) continue; // the region code gives it
            if (i >= 6 && i < 14 && birthClear) continue;
            unknown.push(i);
        }
        // The sex halves the 17th digit; it stays unknown but constrained.
        const free = unknown.filter((i) => i !== 17).length;
        const checkShown = !unknown.includes(17);
        if (free === 0 || (free === 1 && checkShown))
            return `mask ${m}, birth date ${birthClear ? 'in clear' : 'hidden'}, region ${region}, sex ${gender}`;
    }
    return null;
}

// What rebuilds value v of a field of kind from text, or null.
function rebuilt(kind, v, text) {
    switch (kind) {
        case 'idcard':
            return idDetermined(v, text, VILLAGE, GENDER_MALE);
        case 'date':
            return dateForms(v).some((f) => text.includes(f)) ? 'the date in clear' : null;
        case 'phone': {
            if (text.includes(v)) return 'the number itself';
            // A mask must hide at least 4 digits.
            const m = (text.match(/[0-9*+]{7,20}/g) || []).find((x) => x.includes('*') && x.length === v.length && (x.match(/\*/g) || []).length < 4);
            return m ? `mask ${m} hides fewer than 4 digits` : null;
        }
        default:
            return text.includes(v) || text.includes(v.slice(Math.floor(v.length / 2))) ? 'the address or its end' : null;
    }
}

async function sensitiveEntities(s) {
    const meta = await s.admin('GET', '/api/v1/meta/entities');
    assertStatus(meta, 200, 'meta');
    return meta.json.items.filter((e) => e.fields.some((f) => f.type === 'sensitive'));
}

test('finding 1: no reader without the reveal, and nothing stored in clear, rebuilds a sensitive value', { timeout: 180000 }, async (ctx) => {
    const s = await ctx.server();
    const ents = await sensitiveEntities(s);
    assert.ok(ents.length > 0, 'no entity has sensitive fields');
    const perms = ['region:read', 'dict:read', 'report:read'];
    const created = [];
    for (const [k, e] of ents.entries()) {
        perms.push(`${e.permission}:read`);
        const tag = `防拼${RUN_TAG}${k}`;
        const body = { region: VILLAGE };
        const values = {};
        for (const f of e.fields) {
            if (f.readonly) continue;
            if (f.type === 'sensitive') body[f.name] = values[f.name] = known(f.sensitive_kind, k);
            // The person's other facts agree with the ID number, as in life.
            else if (/birth/.test(f.name) && f.type === 'date') body[f.name] = BIRTH;
            else if (f.name === 'gender' && f.type === 'dict') body[f.name] = GENDER_MALE;
            else if (f.required && body[f.name] === undefined) body[f.name] = await filler(s, f, tag);
        }
        const c = await s.admin('POST', `/api/v1/${e.name}`, { body });
        assertStatus(c, 201, `create ${e.name}`);
        created.push({ e, id: c.json.id, values, tag });
    }
    // A role that reads them all and reveals nothing.
    const role = `h12r${RUN_TAG}`.slice(0, 30);
    assertStatus(await s.admin('POST', '/api/v1/roles', { body: { name: role, label: '只读无查看', permissions: perms } }), 201, 'POST /roles');
    const reader = await s.createUser(`h12rd${RUN_TAG}`.slice(0, 30), role, VILLAGE);

    const problems = [];
    for (const { e, id, values } of created) {
        const out = [];
        const one = await s.api('GET', `/api/v1/${e.name}/${id}`, { token: reader });
        assertStatus(one, 200, `reader GET ${e.name}`);
        out.push(['GET one', JSON.stringify(one.json)]);
        const list = await s.api('GET', `/api/v1/${e.name}?region=${VILLAGE}&page_size=500`, { token: reader });
        assertStatus(list, 200, `reader list ${e.name}`);
        out.push(['list', JSON.stringify(list.json)]);
        const x = await s.api('GET', `/api/v1/${e.name}/export.xlsx?region=${VILLAGE}`, { token: reader });
        assertStatus(x, 200, `reader export ${e.name}`);
        out.push(['XLSX export', xlsxText(x.bytes)]);
        const csvFile = path.join(s.dir, `${e.name}.csv`);
        await s.cli(['export', '--db', s.db, e.name, '-o', csvFile]);
        out.push(['CLI CSV export', fs.readFileSync(csvFile, 'utf8')]);
        const md = await s.api('GET', `/api/v1/reports/work-summary?region=${VILLAGE}&year=${new Date().getFullYear()}&format=md`, { token: reader });
        assertStatus(md, 200, 'reader work summary');
        out.push(['work summary', md.text]);
        const all = out.map(([, t]) => t).join('\n');
        for (const f of e.fields.filter((g) => g.type === 'sensitive')) {
            for (const [where, t] of out) {
                const why = rebuilt(f.sensitive_kind, values[f.name], t);
                if (why) problems.push(`${e.name}.${f.name} from the ${where}: ${why}`);
            }
            const why = rebuilt(f.sensitive_kind, values[f.name], all);
            if (why) problems.push(`${e.name}.${f.name} from everything together: ${why}`);
        }
        // What is stored in clear: the row as the database holds it (masks
        // and clear columns) must not rebuild a value either.
        const row = await sqlite(s.db, `SELECT * FROM ${e.name} WHERE id = ${Number(id)}`);
        for (const f of e.fields.filter((g) => g.type === 'sensitive')) {
            const why = rebuilt(f.sensitive_kind, values[f.name], String(row));
            if (why) problems.push(`${e.name}.${f.name} from the stored row: ${why}`);
        }
    }
    // And the files: the database (and its WAL) never hold a clear value.
    const files = backend.KIND === 'pg' ? await backend.storedFiles(s.db, s.dir) : [s.db, s.db + '-wal'].filter((f) => fs.existsSync(f));
    for (const { e, values } of created)
        for (const [name, v] of Object.entries(values))
            for (const f of files)
                for (const form of name && v === BIRTH ? dateForms(v).slice(0, 2) : [v])
                    if (fileHas(f, form)) problems.push(`${e.name}.${name} in clear in ${path.basename(f)} (${form})`);
    assert.deepStrictEqual(problems, [], problems.join('\n'));
});

// The export entries written since the entry with id after.
async function exportsSince(s, after) {
    const r = await s.admin('GET', '/api/v1/audit?action=export&page_size=200');
    assertStatus(r, 200, 'GET /audit?action=export');
    return r.json.items.filter((x) => x.id > after);
}

async function lastAuditId(s) {
    const r = await s.admin('GET', '/api/v1/audit?page_size=1');
    assertStatus(r, 200, 'GET /audit');
    return r.json.items.length ? r.json.items[0].id : 0;
}

test('finding 6: every export, download and report is audited (who, what, filter, rows), API and CLI', { timeout: 180000 }, async (ctx) => {
    const s = await ctx.server();
    const start = await lastAuditId(s);
    const want = [];
    // Entity exports with a filter, one by the full ID number (never logged in clear).
    const id = known('idcard', 7);
    let r = await s.admin('GET', `/api/v1/volunteers/export.xlsx?region=${VILLAGE}`);
    assertStatus(r, 200, 'volunteers export');
    want.push({ entity: 'volunteers', kind: 'xlsx', filter: { region: VILLAGE }, rows: Number(r.headers['x-row-count']), username: 'admin' });
    r = await s.admin('GET', `/api/v1/care_households/export.xlsx?id_number=${id}`);
    assertStatus(r, 200, 'care export by ID number');
    want.push({ entity: 'care_households', kind: 'xlsx', filter: { id_number: '***' }, rows: 0, username: 'admin' });
    assertStatus(await s.admin('GET', '/api/v1/hazards/import-template.xlsx'), 200, 'template');
    want.push({ entity: 'hazards', kind: 'template', username: 'admin' });
    const year = new Date().getFullYear();
    assertStatus(await s.admin('GET', `/api/v1/stats/export.xlsx?region=${VILLAGE}&year=${year}`), 200, 'stats xlsx');
    want.push({ entity: 'stats', kind: 'xlsx', filter: { region: VILLAGE, year }, username: 'admin' });
    for (const format of ['md', 'json']) {
        assertStatus(await s.admin('GET', `/api/v1/reports/work-summary?region=${VILLAGE}&year=${year}&format=${format}`), 200, `summary ${format}`);
        want.push({ entity: 'work_summary', kind: format, filter: { campaign: 'safe', region: VILLAGE, year }, username: 'admin' });
    }
    const hz = await s.admin('GET', '/api/v1/hazards?page_size=500');
    const noticed = hz.json.items.find((h) => h.notice_no);
    assert.ok(noticed, 'no demo hazard has a notice');
    for (const kind of ['html', 'pdf']) {
        assertStatus(await s.admin('GET', `/api/v1/hazards/${noticed.id}/notice.${kind}`), 200, `notice.${kind}`);
        want.push({ entity: 'hazards', entity_id: String(noticed.id), kind: `notice_${kind}`, username: 'admin' });
    }
    // The command line.
    const csv = path.join(s.dir, 'units.csv');
    const out = await s.cli(['export', '--db', s.db, 'units', '-o', csv]);
    want.push({ entity: 'units', kind: 'csv', rows: Number(/(\d+)/.exec(out.stdout)[1]), username: 'system' });
    await s.cli(['report', '--db', s.db, 'work-summary', '--region', VILLAGE, '--year', String(year), '-o', path.join(s.dir, 'ws.md')]);
    want.push({ entity: 'work_summary', kind: 'md', filter: { campaign: 'safe', region: VILLAGE, year }, username: 'system' });

    const got = await exportsSince(s, start);
    const missing = [];
    for (const w of want) {
        const hit = got.find(
            (x) =>
                x.entity === w.entity &&
                x.username === w.username &&
                x.changes &&
                x.changes.kind === w.kind &&
                (w.entity_id === undefined || x.entity_id === w.entity_id) &&
                (w.rows === undefined || x.changes.rows === w.rows) &&
                (w.filter === undefined || JSON.stringify(x.changes.filter) === JSON.stringify(w.filter))
        );
        if (!hit) missing.push(JSON.stringify(w));
    }
    assert.deepStrictEqual(missing, [], `not audited:\n${missing.join('\n')}\ngot:\n${got.map((x) => JSON.stringify(x)).join('\n')}`);
    const text = JSON.stringify(got);
    assert.ok(!text.includes(id), 'an ID number entered the audit log in clear');
});

test('finding 7: CSV cells never run as formulas, and the CSV imports back to the same values', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.server();
    const tag = `公式${RUN_TAG}`;
    const vals = [
        { name: `=${tag}A`, phone: '+cmd|calc', skills: '-2+3', note: '=HYPERLINK("http://evil.example","点我")' },
        { name: `@${tag}B`, phone: "'=quoted", skills: '\ttab', note: '普通备注' },
    ];
    for (const v of vals) assertStatus(await s.admin('POST', '/api/v1/volunteers', { body: Object.assign({ region: VILLAGE, gender: '1' }, v) }), 201, 'create');
    const csv = path.join(s.dir, 'v.csv');
    await s.cli(['export', '--db', s.db, 'volunteers', '-o', csv]);
    const rows = parseCsv(fs.readFileSync(csv, 'utf8').replace(/^\uFEFF/, ''));
    const bad = [];
    for (const row of rows) for (const cell of row) if (/^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell)) bad.push(cell);
    assert.deepStrictEqual(bad, [], `cells that run as formulas: ${bad.join(' | ')}`);
    // The rows of this test imported again: the same values come back.
    const head = rows[0];
    const mine = rows.filter((r, i) => i > 0 && r.some((c) => c.includes(tag)));
    assert.strictEqual(mine.length, 2, 'exported rows');
    const back = [head, ...mine].map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');
    const m = multipart('file', 'v.csv', 'text/csv', Buffer.from(back));
    const imp = await s.admin('POST', '/api/v1/volunteers/import', { raw: m.body, headers: { 'Content-Type': m.contentType } });
    assertStatus(imp, 200, 'import the export');
    for (const v of vals) {
        const l = await s.admin('GET', `/api/v1/volunteers?q=${encodeURIComponent(tag)}&page_size=50`);
        const same = l.json.items.filter((x) => x.name === v.name);
        assert.strictEqual(same.length, 2, `${v.name}: ${same.length} rows`);
        for (const k of ['phone', 'skills', 'note']) assert.strictEqual(same[0][k], same[1][k], `${v.name}.${k}`);
        for (const k of Object.keys(v)) assert.strictEqual(same[0][k], v[k], `${v.name}.${k} as created`);
    }
});
