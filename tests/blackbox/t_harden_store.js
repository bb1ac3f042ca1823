'use strict';
// Hardening of the store (issue 12, findings 11 and 12):
// - backup is one archive (database, files directory, manifest with the key's
//   fingerprint, never the key), and restore puts the files back;
// - restore refuses a wrong key, and a database a server is using;
// - check names a wrong key as such, not as "altered" entries;
// - check finds a sensitive value swapped between two rows, a role changed
//   behind the application's back, a permission granted by SQL, and an
//   audit log whose tail was cut and whose head was rewound.
// Backup and restore are SQLite's (PostgreSQL uses pg_dump: t_cli); those
// tests pass with a note on PostgreSQL.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { test, assert, assertStatus, cliRun, assertExit, textLines, sqlite, unzip, idNumber, RUN_TAG, BACKEND, ADMIN_PASSWORD } = require('./lib');

const VILLAGE = '511621101001';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

function sha256(b) {
    return crypto.createHash('sha256').update(b).digest('hex');
}

function newDir(ctx, name) {
    const d = path.join(ctx.tmpDir(), name);
    fs.mkdirSync(d, { recursive: true });
    return d;
}

async function upload(s, bytes) {
    const fd = new FormData();
    fd.append('file', new Blob([bytes], { type: 'image/png' }), 'p.png');
    const r = await s.admin('POST', '/api/v1/files', { raw: fd });
    assertStatus(r, 201, 'upload a photo');
    return r.json.id;
}

// A key file of another database (a fresh init elsewhere).
async function otherKey(ctx) {
    const dir = newDir(ctx, 'other');
    const db = path.join(dir, 'other.db');
    assertExit(await cliRun(['init', '--db', db], { env: { SAFECOMM_ADMIN_PASSWORD: ADMIN_PASSWORD } }), 0, 'init of another database');
    return db + '.key';
}

function sqliteOnly(ctx) {
    if (BACKEND !== 'pg') return false;
    ctx.note('SQLite only: PostgreSQL is backed up with pg_dump (see t_cli)');
    return true;
}

function combined(r) {
    return r.stdout + r.stderr;
}

/* ---------------- finding 11: backup and restore ---------------- */

test('backup is one archive with the database, the files and a manifest (key fingerprint, no key); restore puts the files back', { timeout: 120000 }, async (ctx) => {
    if (sqliteOnly(ctx)) return;
    const s = await ctx.server();
    const photo = Buffer.concat([PNG, Buffer.from(`backup-${RUN_TAG}`)]);
    const id = await upload(s, photo);
    const bak = path.join(ctx.tmpDir(), 'full.bak');
    const b = await cliRun(['backup', '--db', s.db, '-o', bak], { timeout: 60000 });
    assertExit(b, 0, 'backup');
    assert.match(b.stdout, /密钥/, 'backup says what to do with the key');

    const entries = unzip(fs.readFileSync(bak));
    const names = Object.keys(entries);
    assert.ok(names.includes('manifest.json'), `no manifest in the archive: ${names.slice(0, 10).join(', ')}`);
    const m = JSON.parse(entries['manifest.json'].toString('utf8'));
    assert.ok(m.key && /^[0-9a-f]{64}$/.test(m.key.fingerprint), `manifest has no key fingerprint: ${JSON.stringify(m).slice(0, 300)}`);
    const dbEntry = names.find((n) => /\.db$/.test(n));
    assert.ok(dbEntry && entries[dbEntry].subarray(0, 15).toString() === 'SQLite format 3', 'no database in the archive');
    const fileEntry = names.find((n) => n.endsWith(id));
    assert.ok(fileEntry, `the uploaded photo ${id} is not in the archive`);
    assert.strictEqual(sha256(entries[fileEntry]), id, 'the photo in the archive is not the uploaded one');
    const key = fs.readFileSync(s.key, 'utf8').trim().split(/\s+/).pop();
    for (const n of names) assert.ok(!entries[n].includes(Buffer.from(key)), `the key is inside the archive (${n})`);

    // Restore into a new place: the photo comes back beside it.
    await s.stop();
    const rdb = path.join(newDir(ctx, 'restored'), 'r.db');
    fs.copyFileSync(s.key, rdb + '.key');
    fs.chmodSync(rdb + '.key', 0o600);
    assertExit(await cliRun(['restore', '--db', rdb, bak], { timeout: 60000 }), 0, 'restore');
    const restored = path.join(rdb + '.files', id.slice(0, 2), id);
    assert.ok(fs.existsSync(restored), `restore did not put the photo back (${restored})`);
    assert.strictEqual(sha256(fs.readFileSync(restored)), id, 'the restored photo differs');
    const ck = await cliRun(['check', '--db', rdb]);
    assertExit(ck, 0, 'check of the restored database');
});

test('restore with another database\'s key file is refused in one Chinese line, exit 1, and changes nothing', { timeout: 120000 }, async (ctx) => {
    if (sqliteOnly(ctx)) return;
    const c = await ctx.demoCopy();
    const bak = path.join(ctx.tmpDir(), 'k.bak');
    assertExit(await cliRun(['backup', '--db', c.db, '-o', bak], { timeout: 60000 }), 0, 'backup');
    const wrong = await otherKey(ctx);
    const rdb = path.join(newDir(ctx, 'target'), 't.db');
    const r = await cliRun(['restore', '--db', rdb, '--key-file', wrong, bak], { timeout: 60000 });
    assertExit(r, 1, 'restore with the wrong key', { stderr: /密钥/, oneLine: true });
    assert.match(r.stderr, /[\u4e00-\u9fff]/, 'the message is in Chinese');
    // The right key still restores.
    fs.copyFileSync(c.key, rdb + '.key');
    fs.chmodSync(rdb + '.key', 0o600);
    assertExit(await cliRun(['restore', '--db', rdb, bak], { timeout: 60000 }), 0, 'restore with the right key');
});

test('restore into a database a running server uses is refused; after the server stops it works', { timeout: 120000 }, async (ctx) => {
    if (sqliteOnly(ctx)) return;
    const s = await ctx.server();
    const bak = path.join(ctx.tmpDir(), 'inuse.bak');
    assertExit(await cliRun(['backup', '--db', s.db, '-o', bak], { timeout: 60000 }), 0, 'online backup while the server runs');
    const r = await cliRun(['restore', '--db', s.db, bak], { timeout: 60000 });
    assertExit(r, 1, 'restore under a running server', { stderr: /\S/, oneLine: true });
    assertStatus(await s.admin('GET', '/api/v1/volunteers?page_size=1'), 200, 'the server after the refused restore');
    await s.stop();
    assertExit(await cliRun(['restore', '--db', s.db, bak], { timeout: 60000 }), 0, 'restore once the server stopped');
    assertExit(await cliRun(['check', '--db', s.db]), 0, 'check after the restore');
});

test('check with the wrong key file says the key does not match, not that entries were altered', async (ctx) => {
    const c = await ctx.demoCopy();
    const wrong = await otherKey(ctx);
    const r = await cliRun(['check', '--db', c.db, '--key-file', wrong]);
    assertExit(r, 1, 'check with the wrong key');
    const out = combined(r);
    assert.match(out, /密钥与数据库不匹配/, `check does not name the wrong key:\n${out.slice(-600)}`);
    assert.ok(!/altered/.test(out), `check reports altered entries for a wrong key:\n${out.slice(-600)}`);
    // Other commands refuse it too, before writing anything.
    const u = await cliRun(['user', 'add', '--db', c.db, '--key-file', wrong, '--username', `k${RUN_TAG}`, '--role', 'reviewer', '--region', VILLAGE], { input: 'Passw0rd-Long-1\n' });
    assertExit(u, 1, 'user add with the wrong key', { stderr: /密钥与数据库不匹配/, oneLine: true });
    assertExit(await cliRun(['check', '--db', c.db]), 0, 'check with the right key afterwards');
});

/* ---------------- finding 12: what check misses ---------------- */

test('check finds a sensitive value swapped between two rows', async (ctx) => {
    const s = await ctx.server();
    const mk = async (n) => {
        const r = await s.admin('POST', '/api/v1/care_households', {
            body: { region: VILLAGE, name: `换号${RUN_TAG}${n}`, kind: 'elderly_alone', id_number: idNumber(`11010519491231${200 + n}`), phone: `1390000${String(1000 + n)}`, members: 1 },
        });
        assertStatus(r, 201, 'POST care_households');
        return r.json.id;
    };
    const a = await mk(1);
    const b = await mk(2);
    await s.stop();
    assertExit(await cliRun(['check', '--db', s.db]), 0, 'check before the swap');
    // Swap the two sealed phones (and their masks and look-up hashes).
    const row = async (id) => (await sqlite(s.db, `SELECT phone_enc, phone_hash, phone_mask FROM care_households WHERE id = ${id}`)).trim().split('|');
    const [ea, eb] = [await row(a), await row(b)];
    const set = (id, v) => `UPDATE care_households SET phone_enc = '${v[0]}', phone_hash = '${v[1]}', phone_mask = '${v[2]}' WHERE id = ${id};`;
    await sqlite(s.db, set(a, eb) + set(b, ea));
    const r = await cliRun(['check', '--db', s.db]);
    assertExit(r, 1, 'check after copying a phone to another row');
    assert.ok(
        textLines(combined(r)).some((l) => /care_households/.test(l) && new RegExp(`\\b${a}\\b`).test(l) && /phone/.test(l)),
        `check does not name the moved phone of row ${a}:\n${combined(r).slice(-800)}`
    );
});

test('check finds a role changed by SQL and a permission granted by SQL; the CLI\'s own changes pass', async (ctx) => {
    const c = await ctx.demoCopy();
    // Changes through the command line are audited and pass.
    assertExit(await cliRun(['user', 'set', '--db', c.db, '--username', 'village', '--role', 'reviewer']), 0, 'user set');
    assertExit(await cliRun(['user', 'disable', '--db', c.db, '--username', 'town']), 0, 'user disable');
    assertExit(await cliRun(['role', 'grant', '--db', c.db, '--role', 'reviewer', '--perm', 'volunteer:write']), 0, 'role grant');
    assertExit(await cliRun(['role', 'revoke', '--db', c.db, '--role', 'reviewer', '--perm', 'volunteer:write']), 0, 'role revoke');
    const ok = await cliRun(['check', '--db', c.db]);
    assertExit(ok, 0, 'check after audited changes');

    await sqlite(c.db, "UPDATE users SET role = 'sysadmin' WHERE username = 'village'");
    const r = await cliRun(['check', '--db', c.db]);
    assertExit(r, 1, 'check after UPDATE users SET role');
    assert.ok(
        textLines(combined(r)).some((l) => /village/.test(l) && /sysadmin/.test(l)),
        `check does not name the user whose role changed:\n${combined(r).slice(-800)}`
    );

    const d = await ctx.demoCopy();
    await sqlite(d.db, "INSERT INTO role_perms (role, perm) VALUES ('reviewer', 'user:admin')");
    const r2 = await cliRun(['check', '--db', d.db]);
    assertExit(r2, 1, 'check after a grant by SQL');
    assert.ok(
        textLines(combined(r2)).some((l) => /reviewer/.test(l) && /user:admin/.test(l)),
        `check does not name the permission granted by SQL:\n${combined(r2).slice(-800)}`
    );
});

test('check finds an audit log whose tail was cut and whose head was rewound', async (ctx) => {
    const headFile = (db) => path.join(path.dirname(db), 'audit-head.txt');
    const c = await ctx.demoCopy();
    // On SQLite the head file is DB.audit-head by default; PostgreSQL has no
    // file beside the database, so the option names one.
    const extra = BACKEND === 'pg' ? ['--audit-head-file', headFile(c.db)] : [];
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: extra });
    for (let i = 0; i < 5; i++)
        assertStatus(await s.admin('POST', '/api/v1/volunteers', { body: { name: `截尾${RUN_TAG}-${i}`, region: VILLAGE } }), 201, 'POST volunteers');
    await s.stop();
    assertExit(await cliRun(['check', '--db', c.db, ...extra]), 0, 'check before the cut');
    const last = Number(await sqlite(c.db, 'SELECT max(id) FROM audit_log'));
    const keep = last - 3;
    await sqlite(
        c.db,
        `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id > ${keep}; ` +
            `UPDATE audit_head SET last_id = ${keep}, last_hash = (SELECT hash FROM audit_log WHERE id = ${keep}) WHERE id = 1;`
    );
    const r = await cliRun(['check', '--db', c.db, ...extra]);
    assertExit(r, 1, 'check after cutting the tail and rewinding the head');
    assert.match(combined(r), /audit/i, `check does not name the audit log:\n${combined(r).slice(-800)}`);
});
