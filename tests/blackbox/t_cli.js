'use strict';
// The command line: exit statuses (0 success, 1 failure with a one-line
// message on stderr, 2 usage error), init and its key file, SAFECOMM_* options,
// user add / token create, CSV export and import, online backup and restore,
// check (tampered search index, rows with a missing region), and the region
// list imported through the API.
const fs = require('node:fs');
const path = require('node:path');
const {
    test,
    assert,
    assertError,
    assertStatus,
    brief,
    cliRun,
    assertExit,
    textLines,
    sqlite,
    fileMode,
    demoRegions,
    multipart,
    isXlsx,
    sleep,
    RUN_TAG,
    USER_PASSWORD,
    ADMIN_PASSWORD,
    COUNTY,
    backend,
    BACKEND,
    parseCsv,
    importReport,
} = require('./lib');

const ADMIN_ENV = { SAFECOMM_ADMIN_PASSWORD: ADMIN_PASSWORD };

function newDir(ctx, name) {
    const d = path.join(ctx.tmpDir(), name);
    fs.mkdirSync(d, { recursive: true });
    return d;
}

// A freshly initialised database in its own directory: {dir, db, key}.
async function initDb(ctx, name = 'init') {
    const dir = newDir(ctx, name);
    const db = path.join(dir, 'safecomm.db');
    assertExit(await cliRun(['init', '--db', db], { env: ADMIN_ENV }), 0, 'init');
    return { dir, db, key: db + '.key' };
}

async function liveCount(db, table, where = '') {
    return Number(await sqlite(db, `SELECT count(*) FROM ${table} WHERE deleted_at IS NULL ${where ? 'AND ' + where : ''}`));
}

/* ---------------- exit statuses ---------------- */

test('usage errors exit 2: no command, unknown command, missing --db, missing arguments', async (ctx) => {
    const { db } = await ctx.demoCopy();
    const out = path.join(ctx.tmpDir(), 'out.csv');
    const cases = [
        [[], 'no command'],
        [['frobnicate'], 'unknown command'],
        [['frobnicate', '--db', db], 'unknown command with --db'],
        [['init'], 'init without --db'],
        [['demo'], 'demo without --db'],
        [['check'], 'check without --db'],
        [['serve'], 'serve without --db'],
        [['export', 'volunteers', '-o', out], 'export without --db'],
        [['import', 'volunteers', out], 'import without --db'],
        [['backup', '-o', out], 'backup without --db'],
        [['restore', out], 'restore without --db'],
        [['token', 'create', '--username', 'admin'], 'token create without --db'],
        [['user', 'add', '--username', 'u', '--role', 'sysadmin', '--region', COUNTY], 'user add without --db'],
        [['user', '--db', db], 'user without a subcommand'],
        [['user', 'frob', '--db', db], 'user with an unknown subcommand'],
        [['token', '--db', db], 'token without a subcommand'],
        [['token', 'create', '--db', db], 'token create without --username'],
        [['user', 'add', '--db', db, '--username', 'u'], 'user add without --role/--region'],
        [['import', '--db', db, 'volunteers'], 'import without FILE'],
        [['export', '--db', db, 'volunteers'], 'export without -o'],
        [['backup', '--db', db], 'backup without -o'],
        [['restore', '--db', db], 'restore without FILE'],
        [['check', '--db'], '--db without a value'],
    ];
    const wrong = [];
    for (const [args, what] of cases) {
        const r = await cliRun(args, { input: 'Strong-pass-2025!x\n' });
        if (r.code !== 2) wrong.push(`${what} (safecomm ${args.join(' ')}): exit ${r.code}, stderr ${JSON.stringify(r.stderr.slice(0, 200))}`);
        else if (!r.stderr.trim()) wrong.push(`${what}: exit 2 with nothing on stderr`);
    }
    assert.deepStrictEqual(wrong, [], 'usage errors that did not exit 2:\n' + wrong.join('\n'));
    // No database was created by any of them.
    assert.ok(!fs.existsSync(out), 'a usage error created a file');
});

test('a data command on a database that does not exist exits 1 and creates nothing', async (ctx) => {
    const dir = newDir(ctx, 'missing');
    const db = path.join(dir, 'nope.db');
    const csv = path.join(dir, 'in.csv');
    fs.writeFileSync(csv, '姓名,区域代码\n张三丰,511621101001\n');
    const cases = [
        ['check', '--db', db],
        ['export', '--db', db, 'volunteers', '-o', path.join(dir, 'x.csv')],
        ['import', '--db', db, 'volunteers', csv],
        ['backup', '--db', db, '-o', path.join(dir, 'b.db')],
        ['token', 'create', '--db', db, '--username', 'admin'],
        ['user', 'add', '--db', db, '--username', 'u1', '--role', 'sysadmin', '--region', COUNTY],
    ];
    for (const args of cases) {
        const r = await cliRun(args, { input: 'Strong-pass-2025!x\n' });
        assertExit(r, 1, `safecomm ${args.join(' ')}`, { stderr: /\S/ });
    }
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['in.csv'], 'a failed command left files behind');
});

/* ---------------- init and the key file ---------------- */

test('init creates the database and a 0600 key file; a second init keeps the key', async (ctx) => {
    const { db, key } = await initDb(ctx);
    assert.ok(await backend.dbExists(db), 'init did not create the database');
    assert.ok(fs.existsSync(key), `init did not create the key file ${key}`);
    assert.strictEqual(fileMode(key).toString(8), '600', 'key file mode');
    const keyBytes = fs.readFileSync(key);
    const keyStat = fs.statSync(key);
    assert.ok(keyBytes.length > 0, 'the key file is empty');

    const again = await cliRun(['init', '--db', db], { env: ADMIN_ENV });
    assertExit(again, 0, 'the second init');
    assert.ok(fs.readFileSync(key).equals(keyBytes), 'the second init changed the key file');
    assert.strictEqual(fs.statSync(key).ino, keyStat.ino, 'the second init replaced the key file');
    assert.strictEqual(fileMode(key).toString(8), '600', 'key file mode after the second init');
    assert.strictEqual(Number(await sqlite(db, "SELECT count(*) FROM users WHERE username = 'admin'")), 1, 'admin users');
    assertExit(await cliRun(['check', '--db', db]), 0, 'check after two inits');

    // Without SAFECOMM_ADMIN_PASSWORD a generated password is printed.
    const dir2 = newDir(ctx, 'gen');
    const db2 = path.join(dir2, 'g.db');
    const g = await cliRun(['init', '--db', db2]);
    assertExit(g, 0, 'init without SAFECOMM_ADMIN_PASSWORD');
    const m = /[:：]\s*(\S{10,})/.exec(g.stdout);
    assert.ok(m, `init did not print a generated password: ${JSON.stringify(g.stdout)}`);
    assert.ok(!g.stdout.includes(ADMIN_PASSWORD));
    // A second init prints no new password.
    const g2 = await cliRun(['init', '--db', db2]);
    assertExit(g2, 0, 'the second init without SAFECOMM_ADMIN_PASSWORD');
    assert.ok(!g2.stdout.includes(m[1]), 'the second init printed the password again');

    // A weak SAFECOMM_ADMIN_PASSWORD is refused.
    const db3 = path.join(newDir(ctx, 'weak'), 'w.db');
    assertExit(await cliRun(['init', '--db', db3], { env: { SAFECOMM_ADMIN_PASSWORD: 'short' } }), 1, 'init with a weak admin password', { stderr: /\S/ });
});

test('init creates the database file readable by its owner only (0600)', async (ctx) => {
    const { db } = await initDb(ctx);
    if (BACKEND === 'pg') {
        // PostgreSQL: no file; nobody but the owner role may read a table.
        const open = await sqlite(db, "SELECT string_agg(c.relname, ' ') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND has_table_privilege('public', c.oid, 'SELECT')");
        assert.strictEqual(open, '', `tables readable by PUBLIC: ${open}`);
        return;
    }
    const mode = fileMode(db);
    assert.strictEqual(mode & 0o077, 0, `the database ${db} has mode 0${mode.toString(8)}: group/other can read the personal data in it`);
});

test('a key file whose mode is not 0600 is refused (exit 1); a missing key file is not recreated', async (ctx) => {
    const { db, key } = await ctx.demoCopy();
    for (const mode of [0o644, 0o640, 0o604, 0o666]) {
        fs.chmodSync(key, mode);
        const r = await cliRun(['check', '--db', db]);
        assertExit(r, 1, `check with a key file of mode 0${mode.toString(8)}`, { stderr: /0600|权限|mode|permission/i });
        assertExit(await cliRun(['token', 'create', '--db', db, '--username', 'admin']), 1, `token create with key mode 0${mode.toString(8)}`);
        assertExit(await cliRun(['export', '--db', db, 'volunteers', '-o', path.join(ctx.tmpDir(), 'k.csv')]), 1, `export with key mode 0${mode.toString(8)}`);
    }
    fs.chmodSync(key, 0o644);
    const sv = await cliRun(['serve', '--db', db, '--listen', '127.0.0.1:0', '--threads', '1'], { timeout: 30000 });
    assertExit(sv, 1, 'serve with a key file of mode 0644');
    fs.chmodSync(key, 0o600);
    assertExit(await cliRun(['check', '--db', db]), 0, 'check with the key back at 0600');

    // A database whose key file is gone: exit 1, and no new key is made up.
    fs.renameSync(key, key + '.moved');
    assertExit(await cliRun(['check', '--db', db]), 1, 'check without the key file', { stderr: /\S/ });
    assertExit(await cliRun(['token', 'create', '--db', db, '--username', 'admin']), 1, 'token create without the key file');
    assert.ok(!fs.existsSync(key), 'a command on an existing database created a new key file');
});

test('options come from SAFECOMM_<OPTION> environment variables; the command line wins', async (ctx) => {
    const { dir, db, key } = await ctx.demoCopy();
    const r = await cliRun(['check'], { env: { SAFECOMM_DB: db } });
    assertExit(r, 0, 'check with SAFECOMM_DB');
    assert.match(r.stdout, /全部检查通过/, 'check output');
    assertExit(await cliRun(['check'], { env: { SAFECOMM_DB: path.join(dir, 'nope.db') } }), 1, 'check with SAFECOMM_DB of a missing file');
    assertExit(await cliRun(['check', '--db', db], { env: { SAFECOMM_DB: path.join(dir, 'nope.db') } }), 0, '--db overrides SAFECOMM_DB');

    const t = await cliRun(['token', 'create'], { env: { SAFECOMM_DB: db, SAFECOMM_USERNAME: 'admin' } });
    assertExit(t, 0, 'token create with SAFECOMM_DB and SAFECOMM_USERNAME');
    assert.strictEqual(textLines(t.stdout).length, 1, `token create printed ${JSON.stringify(t.stdout)}`);

    const u = await cliRun(['user', 'add'], {
        env: { SAFECOMM_DB: db, SAFECOMM_USERNAME: `env${RUN_TAG}`, SAFECOMM_ROLE: 'county_admin', SAFECOMM_REGION: COUNTY },
        input: USER_PASSWORD + '\n',
    });
    assertExit(u, 0, 'user add with its options from the environment');
    assert.strictEqual(await sqlite(db, `SELECT role || '|' || region FROM users WHERE username = 'env${RUN_TAG}'`), `county_admin|${COUNTY}`);

    const out = path.join(dir, 'env.csv');
    assertExit(await cliRun(['export', 'activities', '-o', out], { env: { SAFECOMM_DB: db } }), 0, 'export with SAFECOMM_DB');
    assert.ok(fs.existsSync(out), 'export with SAFECOMM_DB wrote no file');

    // SAFECOMM_KEY_FILE: the key elsewhere.
    const elsewhere = path.join(newDir(ctx, 'keys'), 'the.key');
    fs.renameSync(key, elsewhere);
    fs.chmodSync(elsewhere, 0o600);
    assertExit(await cliRun(['check', '--db', db]), 1, 'check with the key moved away');
    assertExit(await cliRun(['check', '--db', db], { env: { SAFECOMM_KEY_FILE: elsewhere } }), 0, 'check with SAFECOMM_KEY_FILE');
    assertExit(await cliRun(['check', '--db', db, '--key-file', elsewhere]), 0, 'check with --key-file');
});

/* ---------------- users and tokens ---------------- */

test('token create prints only the token, as one line, and it authenticates', async (ctx) => {
    const c = await ctx.demoCopy();
    const toks = [];
    for (const extra of [[], ['--name', `ci-${RUN_TAG}`]]) {
        const r = await cliRun(['token', 'create', '--db', c.db, '--username', 'admin', ...extra]);
        assertExit(r, 0, `token create ${extra.join(' ')}`);
        assert.match(r.stdout, /^\S+\n?$/, `token create printed more than the token: ${JSON.stringify(r.stdout)}`);
        toks.push(r.stdout.trim());
    }
    assert.notStrictEqual(toks[0], toks[1], 'two token create calls printed the same token');
    // Only its hash is stored.
    const stored = await sqlite(c.db, 'SELECT * FROM api_tokens');
    for (const t of toks) assert.ok(!stored.includes(t), 'the token is stored in clear');

    assertExit(await cliRun(['token', 'create', '--db', c.db, '--username', `nobody${RUN_TAG}`]), 1, 'token create for an unknown user', { stderr: /\S/ });

    const s = await ctx.serverWith({ db: c.db, token: toks[0] });
    for (const t of toks) assertStatus(await s.api('GET', '/api/v1/volunteers?page_size=1', { token: t }), 200, 'GET with the new token');
    assertError(await s.api('GET', '/api/v1/volunteers?page_size=1', { token: toks[0].slice(0, -1) + (toks[0].endsWith('A') ? 'B' : 'A') }), 401, null, 'a changed token');
    assertError(await s.api('GET', '/api/v1/volunteers?page_size=1'), 401, null, 'no token');
});

test('user add: password from stdin; weak password, unknown role or region, duplicate → exit 1', async (ctx) => {
    const c = await ctx.demoCopy();
    const base = ['user', 'add', '--db', c.db];
    const village = await sqlite(c.db, "SELECT min(code) FROM regions WHERE level = 'village'");
    const name = `vw${RUN_TAG}`;
    const users = async () => Number(await sqlite(c.db, 'SELECT count(*) FROM users'));
    const before = await users();

    for (const [pw, what] of [['short1A!', 'a short password'], ['', 'an empty password'], ['aaaaaaaaaaaaaaaa', 'a one-class password']]) {
        const r = await cliRun([...base, '--username', name, '--role', 'village_worker', '--region', village], { input: pw + '\n' });
        assertExit(r, 1, `user add with ${what}`, { stderr: /\S/ });
    }
    assertExit(await cliRun([...base, '--username', name, '--role', 'village_worker', '--region', village]), 1, 'user add with nothing on stdin');
    assertExit(await cliRun([...base, '--username', name, '--role', 'no_such_role', '--region', village], { input: USER_PASSWORD + '\n' }), 1, 'user add with an unknown role', { stderr: /no_such_role|角色|role/i });
    assertExit(await cliRun([...base, '--username', name, '--role', 'village_worker', '--region', '511621999999'], { input: USER_PASSWORD + '\n' }), 1, 'user add with an unknown region', { stderr: /511621999999|区域|region/i });
    assertExit(await cliRun([...base, '--username', name, '--role', 'village_worker', '--region', 'not-a-code'], { input: USER_PASSWORD + '\n' }), 1, 'user add with a malformed region');
    assert.strictEqual(await users(), before, 'a refused user add stored a user');

    const ok = await cliRun([...base, '--username', name, '--role', 'village_worker', '--region', village], { input: USER_PASSWORD + '\r\n' });
    assertExit(ok, 0, 'user add');
    assert.strictEqual(await users(), before + 1, 'user add stored no user');
    const stored = await sqlite(c.db, `SELECT password_hash FROM users WHERE username = '${name}'`);
    assert.ok(stored && !stored.includes(USER_PASSWORD), 'the password is stored in clear');
    assert.match(stored, /argon2id/, 'the password hash is not argon2id');

    const dup = await cliRun([...base, '--username', name, '--role', 'county_admin', '--region', COUNTY], { input: USER_PASSWORD + '\n' });
    assertExit(dup, 1, 'user add of an existing username', { stderr: new RegExp(name) });
    assert.strictEqual(await users(), before + 1, 'the duplicate was stored');
    assert.strictEqual(await sqlite(c.db, `SELECT role FROM users WHERE username = '${name}'`), 'village_worker', 'the duplicate changed the user');

    // The new user's token sees its village only.
    const t = await cliRun(['token', 'create', '--db', c.db, '--username', name]);
    assertExit(t, 0, 'token create for the new user');
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const mine = await s.api('GET', '/api/v1/volunteers?page_size=500', { token: t.stdout.trim() });
    assertStatus(mine, 200, 'the new user lists volunteers');
    const all = await s.admin('GET', '/api/v1/volunteers?page_size=1');
    assert.ok(mine.json.total < all.json.total, `a village worker sees ${mine.json.total} of ${all.json.total} volunteers`);
    for (const v of mine.json.items) assert.ok(String(v.region).startsWith(village), `out-of-scope row ${v.id} in ${v.region}`);
});

test('failures print exactly one line on stderr', async (ctx) => {
    const c = await ctx.demoCopy();
    const dir = ctx.tmpDir();
    const existing = path.join(dir, 'exists.bak');
    fs.writeFileSync(existing, 'x');
    assertExit(await cliRun(['user', 'add', '--db', c.db, '--username', `one${RUN_TAG}`, '--role', 'county_admin', '--region', COUNTY], { input: USER_PASSWORD + '\n' }), 0, 'user add');
    const cases = [
        [['check', '--db', path.join(dir, 'nope.db')], ''],
        [['token', 'create', '--db', c.db, '--username', `nobody${RUN_TAG}`], ''],
        [['user', 'add', '--db', c.db, '--username', `x${RUN_TAG}`, '--role', 'county_admin', '--region', COUNTY], 'weak\n'],
        [['user', 'add', '--db', c.db, '--username', `x${RUN_TAG}`, '--role', 'nope', '--region', COUNTY], USER_PASSWORD + '\n'],
        [['user', 'add', '--db', c.db, '--username', `x${RUN_TAG}`, '--role', 'county_admin', '--region', '511621999999'], USER_PASSWORD + '\n'],
        [['user', 'add', '--db', c.db, '--username', `one${RUN_TAG}`, '--role', 'county_admin', '--region', COUNTY], USER_PASSWORD + '\n'],
        [['export', '--db', c.db, 'no_such_entity', '-o', path.join(dir, 'x.csv')], ''],
        [['import', '--db', c.db, 'no_such_entity', existing], ''],
        [['backup', '--db', c.db, '-o', existing], ''],
        [['restore', '--db', c.db, path.join(dir, 'missing.bak')], ''],
    ];
    const bad = [];
    for (const [args, input] of cases) {
        const r = await cliRun(args, { input });
        const lines = textLines(r.stderr);
        if (r.code !== 1 || lines.length !== 1)
            bad.push(`safecomm ${args.slice(0, 2).join(' ')} … (${args.slice(2).filter((a) => !a.startsWith('/')).join(' ')}): exit ${r.code}, ${lines.length} stderr lines: ${JSON.stringify(lines)}`);
    }
    assert.deepStrictEqual(bad, [], 'failures without exit 1 and a one-line message:\n' + bad.join('\n'));
});

/* ---------------- export and import ---------------- */

test('export to CSV, import it again through the CLI: the count grows by the exported rows', async (ctx) => {
    const c = await ctx.demoCopy();
    const dir = ctx.tmpDir();
    const before = await liveCount(c.db, 'volunteers');
    const csv = path.join(dir, 'volunteers.csv');
    const e = await cliRun(['export', '--db', c.db, 'volunteers', '-o', csv]);
    assertExit(e, 0, 'export volunteers to CSV');
    const rows = parseCsv(fs.readFileSync(csv, 'utf8'));
    assert.ok(rows.length > 2, 'the CSV has no data rows');
    // The last row is 合计 (服务时长 adds up); the import passes over it.
    assert.strictEqual(rows[rows.length - 1][0], '合计', `the last row: ${rows[rows.length - 1].join(',')}`);
    const n = rows.length - 2;
    assert.strictEqual(n, before, `the CSV has ${n} rows, the table ${before}`);
    assert.ok(rows[0].includes('姓名'), `CSV header: ${rows[0].join(',')}`);
    const m = /(\d+)/.exec(e.stdout);
    assert.ok(m && Number(m[1]) === n, `export reported ${JSON.stringify(e.stdout.trim())}, the file has ${n} rows`);

    const i = await cliRun(['import', '--db', c.db, 'volunteers', csv]);
    assertExit(i, 0, 'import the exported CSV');
    const rep = importReport(i.stdout);
    assert.strictEqual(rep.accepted, n, `import report: ${JSON.stringify(rep).slice(0, 300)}`);
    assert.strictEqual(rep.rejected, 0, 'rejected rows');
    assert.strictEqual(await liveCount(c.db, 'volunteers'), before + n, 'count after the import');
    const chk = await cliRun(['check', '--db', c.db]);
    assertExit(chk, 0, 'check after the import');

    // xlsx too.
    const xlsx = path.join(dir, 'activities.xlsx');
    const actBefore = await liveCount(c.db, 'activities');
    assertExit(await cliRun(['export', '--db', c.db, 'activities', '-o', xlsx]), 0, 'export activities to xlsx');
    assert.ok(isXlsx(fs.readFileSync(xlsx)), 'the export is not an xlsx');
    assertExit(await cliRun(['import', '--db', c.db, 'activities', xlsx]), 0, 'import the exported xlsx');
    assert.strictEqual(await liveCount(c.db, 'activities'), 2 * actBefore, 'activities after the xlsx import');

    // A bad row: exit 1, the report on stderr, nothing stored; --partial stores the rest.
    const bad = path.join(dir, 'bad.csv');
    const village = await sqlite(c.db, "SELECT min(code) FROM regions WHERE level = 'village'");
    fs.writeFileSync(bad, `姓名,区域代码,服务时长（小时）\n导入甲${RUN_TAG},${village},3\n导入乙${RUN_TAG},${village},abc\n导入丙${RUN_TAG},${village},4\n`);
    const mid = await liveCount(c.db, 'volunteers');
    const b = await cliRun(['import', '--db', c.db, 'volunteers', bad]);
    assertExit(b, 1, 'import with a bad row');
    const brep = importReport(b.stderr);
    assert.deepStrictEqual((brep.rows || []).map((x) => x.row), [3], `bad rows reported: ${JSON.stringify(brep.rows)}`);
    assert.ok(brep.rows[0].fields && brep.rows[0].fields.hours, `the bad field is not named: ${JSON.stringify(brep.rows)}`);
    assert.strictEqual(await liveCount(c.db, 'volunteers'), mid, 'a failed import stored rows');
    const p = await cliRun(['import', '--db', c.db, 'volunteers', bad, '--partial']);
    assertExit(p, 0, 'import --partial with a bad row');
    assert.strictEqual(importReport(p.stdout).accepted, 2, 'accepted rows of the partial import');
    assert.strictEqual(await liveCount(c.db, 'volunteers'), mid + 2, 'count after the partial import');

    assertExit(await cliRun(['import', '--db', c.db, 'no_such_entity', csv]), 1, 'import of an unknown entity');
    assertExit(await cliRun(['export', '--db', c.db, 'no_such_entity', '-o', path.join(dir, 'n.csv')]), 1, 'export of an unknown entity');
    assertExit(await cliRun(['import', '--db', c.db, 'volunteers', path.join(dir, 'missing.csv')]), 1, 'import of a missing file');
    assertExit(await cliRun(['check', '--db', c.db]), 0, 'check at the end');
});

/* ---------------- backup and restore ---------------- */

// PostgreSQL: safecomm backup/restore point to pg_dump/pg_restore; the same
// promises hold with those (an online dump while the server writes, a
// restore into a new database that passes check and finds the rows).
async function pgBackupRestore(ctx) {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const tag = `备份${RUN_TAG}`;
    let seq = 0;
    const post = () => s.admin('POST', '/api/v1/volunteers', { body: { name: `${tag}-${seq++}`, region: reg.village, skills: '备份测试队' } });
    const before = [];
    for (let i = 0; i < 20; i++) {
        const r = await post();
        assertStatus(r, 201, 'POST before the backup');
        before.push(r.json.id);
    }
    const bak = path.join(ctx.tmpDir(), 'pg.dump');
    assertExit(await cliRun(['backup', '--db', s.db, '-o', bak]), 1, 'safecomm backup on PostgreSQL', { stderr: /pg_dump/, oneLine: true });
    assert.ok(!fs.existsSync(bak), 'safecomm backup on PostgreSQL wrote a file');
    let stop = false;
    const failures = [];
    const writer = (async () => {
        while (!stop) {
            const r = await post();
            if (r.status !== 201) failures.push(brief(r));
        }
    })();
    const d = await backend.runDump(s.db, bak);
    stop = true;
    await writer;
    assert.strictEqual(d.code, 0, `pg_dump while the server writes: ${d.stderr}`);
    assert.deepStrictEqual(failures, [], 'writes failed while pg_dump ran');
    const rdb = path.join(newDir(ctx, 'restored'), 'restored.db');
    fs.copyFileSync(s.key, rdb + '.key');
    fs.chmodSync(rdb + '.key', 0o600);
    assertExit(await cliRun(['restore', '--db', rdb, bak]), 1, 'safecomm restore on PostgreSQL', { stderr: /pg_restore/, oneLine: true });
    const rr = await backend.runRestore(bak, rdb);
    assert.strictEqual(rr.code, 0, `pg_restore into a new database: ${rr.stderr}`);
    const ck = await cliRun(['check', '--db', rdb]);
    assertExit(ck, 0, 'check of the restored database');
    const ids = (await sqlite(rdb, `SELECT id FROM volunteers WHERE name LIKE '${tag}-%' AND deleted_at IS NULL`)).split('\n').filter(Boolean).map(Number);
    for (const id of before) assert.ok(ids.includes(id), `row ${id}, written before the dump, is not in the restored database`);
    const r2 = await ctx.serverWith({ db: rdb, token: s.token });
    const l = await r2.admin('GET', `/api/v1/volunteers?q=${encodeURIComponent(tag)}&page_size=500`);
    assertStatus(l, 200, 'list on the restored database');
    assert.strictEqual(l.json.total, ids.length, 'search on the restored database');
    await r2.stop();
}

async function pgRestoreRefused(ctx) {
    const junk = path.join(ctx.tmpDir(), 'junk.bak');
    fs.writeFileSync(junk, 'this is not a database '.repeat(100));
    const c = await ctx.demoCopy();
    const before = await liveCount(c.db, 'volunteers');
    assertExit(await cliRun(['restore', '--db', c.db, junk]), 1, 'safecomm restore on PostgreSQL', { stderr: /pg_restore/, oneLine: true });
    assertExit(await cliRun(['backup', '--db', c.db, '-o', path.join(ctx.tmpDir(), 'b.bak')]), 1, 'safecomm backup on PostgreSQL', { stderr: /pg_dump/, oneLine: true });
    assert.strictEqual(await liveCount(c.db, 'volunteers'), before, 'the refused restore changed the database');
    assertExit(await cliRun(['check', '--db', c.db]), 0, 'check after the refused restore');
}

test('backup while the server writes; restore into a new path; check passes and the rows are there', { timeout: 120000 }, async (ctx) => {
    if (BACKEND === 'pg') return pgBackupRestore(ctx);
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const tag = `备份${RUN_TAG}`;
    let seq = 0;
    const post = async () => {
        const i = seq++;
        const r = await s.admin('POST', '/api/v1/volunteers', { body: { name: `${tag}-${i}`, region: reg.village, skills: '备份测试队' } });
        return r;
    };
    const before = [];
    for (let i = 0; i < 20; i++) {
        const r = await post();
        assertStatus(r, 201, 'POST before the backup');
        before.push(r.json.id);
    }
    // Writers keep going while the backup runs.
    let stop = false;
    const written = [];
    const failures = [];
    const writer = async () => {
        while (!stop) {
            const r = await post();
            if (r.status === 201) written.push(r.json.id);
            else failures.push(brief(r));
        }
    };
    const writers = [writer(), writer()];
    while (written.length < 5 && failures.length === 0) await sleep(10);
    const bak = path.join(ctx.tmpDir(), 'online.bak');
    const b = await cliRun(['backup', '--db', s.db, '-o', bak], { timeout: 60000 });
    const duringBackup = written.length;
    await sleep(100);
    stop = true;
    await Promise.all(writers);
    assertExit(b, 0, 'backup while the server writes');
    assert.deepStrictEqual(failures, [], 'writes failed while the backup ran');
    assert.ok(fs.existsSync(bak) && fs.statSync(bak).size > 0, 'no backup file');
    ctx.note(`${duringBackup} writes before the backup ended, ${written.length} in all`);

    // The backup never overwrites a file.
    const size = fs.statSync(bak).size;
    assertExit(await cliRun(['backup', '--db', s.db, '-o', bak]), 1, 'backup onto an existing file', { stderr: /\S/ });
    assert.strictEqual(fs.statSync(bak).size, size, 'the existing backup file changed');

    // The server is still fine.
    assertStatus(await s.admin('GET', '/api/v1/volunteers?page_size=1'), 200, 'the server after the backup');

    // Restore into a new path, with the key file copied (it is not in the backup).
    const rdir = newDir(ctx, 'restored');
    const rdb = path.join(rdir, 'restored.db');
    fs.copyFileSync(s.key, rdb + '.key');
    fs.chmodSync(rdb + '.key', 0o600);
    const rs = await cliRun(['restore', '--db', rdb, bak], { timeout: 60000 });
    assertExit(rs, 0, 'restore into a new path');
    const ck = await cliRun(['check', '--db', rdb]);
    assertExit(ck, 0, 'check of the restored database');
    assert.match(ck.stdout, /全部检查通过/, 'check output');

    const ids = (await sqlite(rdb, `SELECT id FROM volunteers WHERE name LIKE '${tag}-%' AND deleted_at IS NULL`)).split('\n').filter(Boolean).map(Number);
    for (const id of before) assert.ok(ids.includes(id), `row ${id}, written before the backup, is not in the restored database`);
    assert.ok(ids.length <= before.length + written.length, `the restored database has ${ids.length} rows, more than were written`);

    // A server on the restored database finds them through the search index.
    const r2 = await ctx.serverWith({ db: rdb, token: s.token });
    const l = await r2.admin('GET', `/api/v1/volunteers?q=${encodeURIComponent(tag)}&page_size=500`);
    assertStatus(l, 200, 'list on the restored database');
    assert.strictEqual(l.json.total, ids.length, 'search on the restored database');
    await r2.stop();

    // A file that is not a database is refused.
    const junk = path.join(ctx.tmpDir(), 'junk.bak');
    fs.writeFileSync(junk, 'this is not a database '.repeat(100));
    assertExit(await cliRun(['restore', '--db', rdb, junk]), 1, 'restore of a junk file', { stderr: /\S/ });
    assertExit(await cliRun(['check', '--db', rdb]), 0, 'check after the refused restore');
    assertExit(await cliRun(['restore', '--db', rdb, path.join(ctx.tmpDir(), 'missing.bak')]), 1, 'restore of a missing file');
});

test('restore refuses a file that is not a safecomm database and leaves the database as it was', async (ctx) => {
    if (BACKEND === 'pg') return pgRestoreRefused(ctx);
    const dir = ctx.tmpDir();
    const empty = path.join(dir, 'empty.bak');
    fs.writeFileSync(empty, '');
    const oneByte = path.join(dir, 'one-byte.bak');
    fs.writeFileSync(oneByte, 'x');
    const foreign = path.join(dir, 'foreign.bak');
    await sqlite(foreign, "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('not safecomm');");
    const bad = [];
    for (const [file, what] of [[empty, 'an empty file'], [oneByte, 'a one-byte file'], [foreign, 'another application\'s SQLite database']]) {
        const c = await ctx.demoCopy();
        const before = await liveCount(c.db, 'volunteers');
        const r = await cliRun(['restore', '--db', c.db, file]);
        const tables = Number(await sqlite(c.db, "SELECT count(*) FROM sqlite_master WHERE name = 'volunteers'"));
        const after = tables ? await liveCount(c.db, 'volunteers') : 0;
        const ck = await cliRun(['check', '--db', c.db]);
        if (r.code !== 1 || after !== before || ck.code !== 0)
            bad.push(`restore of ${what}: exit ${r.code} (${JSON.stringify((r.stdout + r.stderr).trim().slice(0, 120))}); volunteers ${before} → ${after}; check then exits ${ck.code} ${JSON.stringify(textLines(ck.stderr).slice(-1))}`);
    }
    assert.deepStrictEqual(bad, [], 'restore accepted files that are not safecomm backups:\n' + bad.join('\n'));
});

/* ---------------- check ---------------- */

test('check detects a tampered search index (a deleted or changed activities_fts row)', async (ctx) => {
    const a = await ctx.demoCopy();
    const ok = await cliRun(['check', '--db', a.db]);
    assertExit(ok, 0, 'check of the untouched copy');
    assert.match(ok.stdout, /全部检查通过/, 'check output');

    await sqlite(a.db, 'DELETE FROM activities_fts WHERE rowid = (SELECT min(id) FROM activities WHERE deleted_at IS NULL)');
    const r = await cliRun(['check', '--db', a.db]);
    assertExit(r, 1, 'check after deleting an index row');
    const out = r.stdout + r.stderr;
    assert.ok(
        textLines(out).some((l) => /activities/.test(l) && /(search|index|索引)/i.test(l) && /FAIL|失败|不一致|missing/i.test(l)),
        `check does not name the activities search index:\n${out}`
    );
    assert.ok(!/全部检查通过/.test(out), 'check still says everything passed');

    const b = await ctx.demoCopy();
    await sqlite(b.db, "UPDATE activities_fts SET uni = 'tampered text' WHERE rowid = (SELECT max(id) FROM activities WHERE deleted_at IS NULL)");
    const r2 = await cliRun(['check', '--db', b.db]);
    assertExit(r2, 1, 'check after changing an index row');
    assert.ok(
        textLines(r2.stdout + r2.stderr).some((l) => /activities/.test(l) && /(search|index|索引)/i.test(l)),
        `check does not name the activities search index:\n${r2.stdout}${r2.stderr}`
    );

    // An extra index row for a row that does not exist.
    const c = await ctx.demoCopy();
    await sqlite(c.db, "INSERT INTO activities_fts (rowid, uni, bi) VALUES (99999999, 'x', 'y')");
    assertExit(await cliRun(['check', '--db', c.db]), 1, 'check with an extra index row');
});

test('check detects a volunteers row whose region does not exist', async (ctx) => {
    const a = await ctx.demoCopy();
    // A new row (in the search index too, so that only the region is wrong):
    // a copy of an existing row with a region that is not in the tree.
    const id = Number(await sqlite(a.db, 'SELECT min(id) FROM volunteers WHERE deleted_at IS NULL'));
    await sqlite(
        a.db,
        'PRAGMA foreign_keys=OFF; ' +
            `INSERT INTO volunteers (region, created_at, updated_at, created_by, name, gender, phone, birth_date, team, skills, joined_on, hours, note) ` +
            `SELECT '511621999999', created_at, updated_at, 'tamper', name, gender, phone, birth_date, team, skills, joined_on, hours, note FROM volunteers WHERE id = ${id}; ` +
            `INSERT INTO volunteers_fts (rowid, uni, bi) SELECT last_insert_rowid(), uni, bi FROM volunteers_fts WHERE rowid = ${id};`
    );
    const r = await cliRun(['check', '--db', a.db]);
    assertExit(r, 1, 'check with a volunteers row in a missing region');
    const out = r.stdout + r.stderr;
    assert.ok(
        textLines(out).some((l) => /volunteers/.test(l) && /(region|区域|foreign key)/i.test(l) && /FAIL|失败|不存在|missing/i.test(l)),
        `check does not name the volunteers row's missing region:\n${out}`
    );
    assert.ok(
        !textLines(out).some((l) => /FAIL/.test(l) && /search index/.test(l)),
        `the tampering also broke the search index check, so the test cannot tell what check found:\n${out}`
    );

    // An existing row moved to a missing region.
    const b = await ctx.demoCopy();
    await sqlite(b.db, `PRAGMA foreign_keys=OFF; UPDATE volunteers SET region = '511621999998' WHERE id = ${id};`);
    const r2 = await cliRun(['check', '--db', b.db]);
    assertExit(r2, 1, 'check with a volunteer moved to a missing region');
    assert.ok(textLines(r2.stdout + r2.stderr).some((l) => /volunteers/.test(l) && /(region|区域|foreign key)/i.test(l)), `check output:\n${r2.stdout}`);
});

/* ---------------- regions through the API ---------------- */

const REGION_HEAD = '区域代码,名称,常住人口';

function importRegions(s, csv, query = '') {
    return s.admin('POST', `/api/v1/regions/import${query}`, { body: Buffer.from(csv, 'utf8'), headers: { 'Content-Type': 'text/csv' } });
}

test('region import (API): a new township and a village under it in one file, then GET them', async (ctx) => {
    const s = await ctx.server();
    const town = '511621180000';
    const vil = '511621180001';
    const r = await importRegions(s, `${REGION_HEAD}\n${town},测试${RUN_TAG}镇,12000\n${vil},测试${RUN_TAG}村,1500\n`);
    assertStatus(r, 200, 'region import');
    assert.strictEqual(r.json.accepted, 2, `report: ${brief(r)}`);
    assert.strictEqual(r.json.rejected, 0, `report: ${brief(r)}`);

    const t = await s.admin('GET', `/api/v1/regions/${town}`);
    assertStatus(t, 200, 'GET the township');
    assert.strictEqual(t.json.code, town);
    assert.strictEqual(t.json.name, `测试${RUN_TAG}镇`);
    assert.strictEqual(t.json.level, 'township');
    assert.strictEqual(t.json.parent, COUNTY);
    assert.strictEqual(t.json.population, 12000);
    const v = await s.admin('GET', `/api/v1/regions/${vil}`);
    assertStatus(v, 200, 'GET the village');
    assert.strictEqual(v.json.level, 'village');
    assert.strictEqual(v.json.parent, town);
    assert.strictEqual(v.json.population, 1500);
    const kids = await s.admin('GET', `/api/v1/regions?parent=${town}`);
    assertStatus(kids, 200, 'GET regions?parent=');
    assert.deepStrictEqual(kids.json.items.map((x) => x.code), [vil], 'children of the new township');
    const towns = await s.admin('GET', `/api/v1/regions?parent=${COUNTY}&level=township&page_size=500`);
    assert.ok(towns.json.items.some((x) => x.code === town), 'the new township is not listed under the county');

    // Multipart, field "file": another village under the new township.
    const m = multipart('file', 'regions.csv', 'text/csv', Buffer.from(`${REGION_HEAD}\n511621180002,测试${RUN_TAG}二村,800\n`, 'utf8'));
    const r2 = await s.admin('POST', '/api/v1/regions/import', { raw: m.body, headers: { 'Content-Type': m.contentType } });
    assertStatus(r2, 200, 'multipart region import');
    assertStatus(await s.admin('GET', '/api/v1/regions/511621180002'), 200, 'GET the multipart village');

    // A record can be filed under the new village, and the tree is sound.
    const c = await s.admin('POST', '/api/v1/volunteers', { body: { name: `新村${RUN_TAG}`, region: vil } });
    assertStatus(c, 201, 'a volunteer in the imported village');
    const f = await s.admin('GET', `/api/v1/volunteers?region=${town}`);
    assert.strictEqual(f.json.total, 1, 'region filter on the new township');
    await s.stop();
    assertExit(await cliRun(['check', '--db', s.db]), 0, 'check after the region import');
});

test('region import (API): a row whose parent is missing is reported with its row number and field "code"', async (ctx) => {
    const s = await ctx.server();
    // Row 3's parent (511621182000) does not exist; row 2 is fine but the file is all-or-nothing.
    const r = await importRegions(s, `${REGION_HEAD}\n511621181000,好${RUN_TAG}镇,1000\n511621182001,孤${RUN_TAG}村,10\n`);
    const e = assertError(r, 422, null, 'import with a missing parent');
    assert.strictEqual(e.code, 'import_failed');
    assert.deepStrictEqual(r.json.rows.map((x) => x.row), [3], `rows reported: ${JSON.stringify(r.json.rows)}`);
    assert.ok(r.json.rows[0].fields && r.json.rows[0].fields.code, `field "code" not named: ${JSON.stringify(r.json.rows)}`);
    assertError(await s.admin('GET', '/api/v1/regions/511621181000'), 404, null, 'the good row of a failed import was stored');

    // Only earlier rows count as parents: a village before its township.
    const r2 = await importRegions(s, `${REGION_HEAD}\n511621183001,先${RUN_TAG}村,10\n511621183000,后${RUN_TAG}镇,1000\n`);
    assertError(r2, 422, null, 'a village before its township');
    assert.deepStrictEqual(r2.json.rows.map((x) => x.row), [2], `rows reported: ${JSON.stringify(r2.json.rows)}`);
    assert.ok(r2.json.rows[0].fields.code, 'field "code" not named');

    // ?partial=1 keeps the good rows.
    const p = await importRegions(s, `${REGION_HEAD}\n511621181000,好${RUN_TAG}镇,1000\n511621182001,孤${RUN_TAG}村,10\n`, '?partial=1');
    assertStatus(p, 200, 'partial import');
    assert.strictEqual(p.json.accepted, 1);
    assert.deepStrictEqual(p.json.rows.map((x) => x.row), [3]);
    assertStatus(await s.admin('GET', '/api/v1/regions/511621181000'), 200, 'the good row of the partial import');
    assertError(await s.admin('GET', '/api/v1/regions/511621182001'), 404, null, 'the orphan village was stored');
});

test('region import (API): after a bad row, a village whose township is an earlier good row is not reported', async (ctx) => {
    const s = await ctx.server();
    // Row 2 is bad (missing parent). Rows 3 and 4 are a township and its
    // village: row 4's parent is an earlier row of the same file, so only row
    // 2 may be reported.
    const r = await importRegions(
        s,
        `${REGION_HEAD}\n511621184001,孤${RUN_TAG}村,10\n511621185000,乙${RUN_TAG}镇,1000\n511621185001,乙${RUN_TAG}村,100\n`
    );
    assertError(r, 422, null, 'import with one bad row');
    assert.deepStrictEqual(r.json.rows.map((x) => x.row), [2], `rows reported (only row 2 is bad): ${JSON.stringify(r.json.rows)}`);
    assert.strictEqual(r.json.rejected, 1, `rejected: ${JSON.stringify(r.json)}`);
});
