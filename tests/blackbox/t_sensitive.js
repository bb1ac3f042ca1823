'use strict';
// Acceptance: sensitive fields of care households (ID number, phone,
// address). Never stored in clear (neither in the database file nor in its
// WAL), masked in reads, found by exact match, revealed only with
// care:reveal and a reason (audited), and still readable after `rekey`.
const fs = require('node:fs');
const path = require('node:path');
const { test, assert, assertError, assertStatus, brief, idNumber, fileHas, sqlite, xlsxText, RUN_TAG, backend } = require('./lib');

const VILLAGE = '511621101001';

// Values unique to this run.
function values() {
    const n = parseInt(RUN_TAG, 36) % 1000;
    const seq = String(100 + (n % 900)).padStart(3, '0');
    const id = idNumber(`511621198${(n % 9) + 1}0${(n % 9) + 1}1${n % 10}${seq}`);
    const phone = `139${String(10000000 + ((n * 7919) % 89999999)).padStart(8, '0')}`;
    const tail = `幸福路${100 + (n % 800)}号${RUN_TAG}`;
    const address = `九龙镇柏坪村${tail}`;
    // The birth date the ID number holds: sensitive too (issue 12).
    const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
    return { id, phone, address, tail, birth };
}

// The first 3 and the check character (docs/security.md, "Masks").
function maskedId(id) {
    return id.slice(0, 3) + '*'.repeat(14) + id.slice(17);
}

function maskedPhone(p) {
    return p.slice(0, 3) + '****' + p.slice(7);
}

// The files of a SQLite database that may hold its data.
function dbFiles(db) {
    return [db, db + '-wal', db + '-journal'].filter((f) => fs.existsSync(f));
}

// What the database stores, as files: the SQLite file and its WAL, or on
// PostgreSQL a plain pg_dump of the database (every stored value is in it).
function storedFiles(db) {
    return backend.KIND === 'pg' ? backend.storedFiles(db, path.dirname(db)) : Promise.resolve(dbFiles(db));
}

async function assertNotInFiles(db, v, when) {
    const found = [];
    const files = await storedFiles(db);
    assert.ok(files.length > 0, `${when}: nothing to look into for ${db}`);
    for (const f of files)
        for (const [what, needle] of [['ID number', v.id], ['phone', v.phone], ['address', v.address], ['the end of the address', v.tail]])
            if (fileHas(f, needle)) found.push(`${what} in ${f.replace(/.*\//, '')}`);
    assert.strictEqual(found.length, 0, `${when}: plaintext found: ${found.join(', ')}`);
}

async function createHousehold(s, v, token) {
    const c = await s.api('POST', '/api/v1/care_households', {
        token: token || s.token,
        body: { region: VILLAGE, name: `关爱户${RUN_TAG}`, kind: 'elderly_alone', birth_date: v.birth, id_number: v.id, phone: v.phone, address: v.address, members: 1 },
    });
    assertStatus(c, 201, 'POST care_households');
    return c.json;
}

function assertMasked(o, v, what) {
    assert.strictEqual(o.id_number, maskedId(v.id), `${what}: id_number`);
    assert.strictEqual(o.phone, maskedPhone(v.phone), `${what}: phone`);
    assert.strictEqual(o.birth_date, `${v.birth.slice(0, 4)}-**-**`, `${what}: birth_date`);
    assert.ok(typeof o.address === 'string' && o.address.includes('*'), `${what}: address not masked: ${o.address}`);
    assert.ok(!o.address.includes(v.tail), `${what}: address shows its end: ${o.address}`);
    const text = JSON.stringify(o);
    for (const x of [v.id, v.phone, v.address, v.tail]) assert.ok(!text.includes(x), `${what}: plaintext ${x} in ${text}`);
}

test('care household: never in clear in the database or its WAL; masked reads; exact-match search', async (ctx) => {
    const s = await ctx.server();
    const v = values();
    assertError(
        await s.admin('POST', '/api/v1/care_households', { body: { region: VILLAGE, name: `坏号${RUN_TAG}`, kind: 'other', id_number: v.id.slice(0, 17) + (v.id[17] === '0' ? '1' : '0') } }),
        422,
        'id_number',
        'an ID number with a wrong check digit'
    );
    const row = await createHousehold(s, v);
    assertMasked(row, v, 'the POST reply');
    // While the server runs (before any checkpoint): the WAL holds the new pages.
    const wal = s.db + '-wal';
    if (fs.existsSync(wal) && fs.statSync(wal).size > 0) ctx.note(`WAL while running: ${fs.statSync(wal).size} bytes`);
    await assertNotInFiles(s.db, v, 'while running');
    // The same search does find what is stored in clear (the name).
    assert.ok((await storedFiles(s.db)).some((f) => fileHas(f, `关爱户${RUN_TAG}`)), 'the household name is in neither the database nor its WAL: the search is blind');

    const g = await s.admin('GET', `/api/v1/care_households/${row.id}`);
    assertStatus(g, 200, 'GET');
    assertMasked(g.json, v, 'GET');
    const l = await s.admin('GET', `/api/v1/care_households?q=${encodeURIComponent('关爱户' + RUN_TAG)}`);
    assertStatus(l, 200, 'list');
    assert.strictEqual(l.json.total, 1, `list by name: ${brief(l)}`);
    assertMasked(l.json.items[0], v, 'list');

    // The spreadsheet export is masked too.
    const x = await s.admin('GET', `/api/v1/care_households/export.xlsx?q=${encodeURIComponent('关爱户' + RUN_TAG)}`);
    assertStatus(x, 200, 'export.xlsx');
    const xt = xlsxText(x.bytes);
    assert.ok(xt.includes(maskedId(v.id)), 'the export lacks the masked ID number');
    for (const y of [v.id, v.phone, v.tail]) assert.ok(!xt.includes(y), `the export holds ${y}`);

    // Exact match on the clear value finds it; another valid number does not.
    const byId = await s.admin('GET', `/api/v1/care_households?id_number=${v.id}`);
    assertStatus(byId, 200, 'search by id_number');
    assert.deepStrictEqual(byId.json.items.map((x) => x.id), [row.id], `search by the ID number: ${brief(byId)}`);
    const otherSeq = String((Number(v.id.slice(14, 17)) + 1) % 1000).padStart(3, '0');
    const other = idNumber(v.id.slice(0, 14) + otherSeq);
    const byOther = await s.admin('GET', `/api/v1/care_households?id_number=${other}`);
    assertStatus(byOther, 200, 'search by another id_number');
    assert.strictEqual(byOther.json.total, 0, `another ID number finds rows: ${brief(byOther)}`);
    // A write-back of the masked value must not overwrite the clear one.
    const n = await s.admin('PATCH', `/api/v1/care_households/${row.id}`, { body: { members: 2 } });
    assertStatus(n, 200, 'PATCH another field');
    assertMasked(n.json, v, 'PATCH reply');

    // Stopped: the database file and any WAL left behind.
    await s.stop();
    await assertNotInFiles(s.db, v, 'after SIGTERM');
    const enc = await sqlite(s.db, `SELECT id_number_enc || ' ' || phone_enc || ' ' || address_enc FROM care_households WHERE id = ${row.id}`);
    assert.match(enc, /^1:\S+ 1:\S+ 1:\S+$/, `stored ciphertext: ${enc}`);
    // The server log holds none of it either.
    const log = fs.readFileSync(s.log, 'utf8');
    for (const x of [v.id, v.phone]) assert.ok(!log.includes(x), `the server log holds ${x}`);
});

test('reveal: 403 without care:reveal, the clear values with it, audited with the reason; no reason → 422; rekey keeps them readable', async (ctx) => {
    const s = await ctx.server();
    const v = values();
    const [reviewer, police, village, town] = await Promise.all([
        s.createUser(`rv${RUN_TAG}`, 'reviewer', VILLAGE),
        s.createUser(`pl${RUN_TAG}`, 'police', VILLAGE),
        s.cli(['token', 'create', '--db', s.db, '--username', 'village']).then((r) => r.stdout.trim()),
        s.cli(['token', 'create', '--db', s.db, '--username', 'town']).then((r) => r.stdout.trim()),
    ]);
    const row = await createHousehold(s, v, village);
    const p = `/api/v1/care_households/${row.id}/reveal`;
    const reason = `入户走访核对身份${RUN_TAG}`;

    for (const [who, t] of [['reviewer', reviewer], ['police', police]]) {
        const r = await s.api('POST', p, { token: t, body: { reason } });
        assertError(r, 403, null, `${who} reveals`);
        assert.ok(!r.text.includes(v.id), `${who}: the refusal carries the ID number`);
    }
    assertError(await s.api('POST', p, { token: village, body: {} }), 422, 'reason', 'reveal without a reason');
    assertError(await s.api('POST', p, { token: village, body: { reason: '' } }), 422, 'reason', 'reveal with an empty reason');
    assertError(await s.api('POST', p, { token: village, body: { reason, extra: 1 } }), 422, 'extra', 'reveal with an unknown field');

    for (const [who, t] of [['village_worker', village], ['township_admin', town]]) {
        const r = await s.api('POST', p, { token: t, body: { reason: `${reason}-${who}` } });
        assertStatus(r, 200, `${who} reveals`);
        assert.deepStrictEqual(r.json.fields, { birth_date: v.birth, id_number: v.id, phone: v.phone, address: v.address }, `${who}: revealed values`);
    }
    // Audited: who, the reason; refusals and reason-less calls are not reveals.
    const a = await s.admin('GET', `/api/v1/audit?entity=care_households&entity_id=${row.id}&action=reveal`);
    assertStatus(a, 200, 'GET /audit of the reveals');
    const got = a.json.items.map((x) => `${x.username}:${x.reason}`).sort();
    assert.deepStrictEqual(got, [`town:${reason}-township_admin`, `village:${reason}-village_worker`], `audit entries of the reveals: ${brief(a)}`);
    for (const x of a.json.items) {
        assert.strictEqual(x.ip, '127.0.0.1', 'audit ip of a reveal');
        assert.strictEqual(x.region, VILLAGE, 'audit region of a reveal');
        assert.ok(!JSON.stringify(x).includes(v.id), 'the audit entry holds the ID number');
    }

    // rekey: a new key (id 2); every stored value re-sealed with it; still readable.
    await s.stop();
    const keyLines = () => fs.readFileSync(s.key, 'utf8').split('\n').filter((x) => /^\d+ /.test(x));
    assert.strictEqual(keyLines().length, 1, 'key file before rekey');
    const old = await sqlite(s.db, `SELECT id_number_enc FROM care_households WHERE id = ${row.id}`);
    assert.match(old, /^1:/, 'ciphertext prefix before rekey');
    const rk = await s.cli(['rekey', '--db', s.db], { check: false });
    assert.strictEqual(rk.code, 0, `rekey exited ${rk.code}: ${rk.stdout}${rk.stderr}`);
    assert.deepStrictEqual(keyLines().map((x) => x.split(' ')[0]), ['1', '2'], 'key ids in the key file after rekey');
    assert.strictEqual((fs.statSync(s.key).mode & 0o777).toString(8), '600', 'key file mode after rekey');
    const now = await sqlite(s.db, `SELECT id_number_enc FROM care_households WHERE id = ${row.id}`);
    assert.match(now, /^2:/, `ciphertext prefix after rekey: ${now.slice(0, 10)}`);
    assert.notStrictEqual(now, old, 'the ciphertext did not change');
    const left = await sqlite(
        s.db,
        "SELECT count(*) FROM care_households WHERE (id_number_enc IS NOT NULL AND id_number_enc NOT LIKE '2:%') OR (phone_enc IS NOT NULL AND phone_enc NOT LIKE '2:%') OR (address_enc IS NOT NULL AND address_enc NOT LIKE '2:%')"
    );
    assert.strictEqual(left, '0', `${left} values not re-sealed with key 2`);
    const total = await sqlite(s.db, 'SELECT count(*) FROM care_households WHERE id_number_enc IS NOT NULL');
    assert.ok(Number(total) > 1, 'the demo rows hold sealed values too');
    const chk = await s.cli(['check', '--db', s.db], { check: false });
    assert.strictEqual(chk.code, 0, `check after rekey: ${chk.stdout}${chk.stderr}`);

    await s.start();
    const r = await s.api('POST', p, { token: village, body: { reason: `${reason}-rekey` } });
    assertStatus(r, 200, 'reveal after rekey');
    assert.deepStrictEqual(r.json.fields, { birth_date: v.birth, id_number: v.id, phone: v.phone, address: v.address }, 'revealed values after rekey');
    // A demo row sealed under key 1 reveals too.
    const demo = await s.admin('GET', `/api/v1/care_households?page_size=1&sort=created_at`);
    const d = await s.admin('POST', `/api/v1/care_households/${demo.json.items[0].id}/reveal`, { body: { reason: '轮换后抽查' } });
    assertStatus(d, 200, 'reveal of a demo row after rekey');
    assert.ok(typeof d.json.fields.id_number === 'string' && d.json.fields.id_number.length === 18, `demo row after rekey: ${brief(d)}`);
    // The look-up hash survives the rotation.
    const byId = await s.admin('GET', `/api/v1/care_households?id_number=${v.id}`);
    assert.deepStrictEqual(byId.json.items.map((x) => x.id), [row.id], `search by ID number after rekey: ${brief(byId)}`);
    // New writes use key 2.
    const v2 = Object.assign({}, v, { id: idNumber(v.id.slice(0, 14) + String((Number(v.id.slice(14, 17)) + 7) % 1000).padStart(3, '0')) });
    const row2 = await s.admin('POST', '/api/v1/care_households', { body: { region: VILLAGE, name: `关爱户二${RUN_TAG}`, kind: 'other', id_number: v2.id } });
    assertStatus(row2, 201, 'POST after rekey');
    await s.stop();
    assert.match(await sqlite(s.db, `SELECT id_number_enc FROM care_households WHERE id = ${row2.json.id}`), /^2:/, 'a new row after rekey');
});
