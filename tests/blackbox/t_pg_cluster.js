'use strict';
// PostgreSQL only (skipped, and not counted, in the SQLite run): several
// servers on one database share every piece of state; a PostgreSQL restart
// under load is answered 503, then both servers recover by themselves and no
// acknowledged write is lost; migrate-data brings a SQLite county across.
const fs = require('node:fs');
const path = require('node:path');
const lib = require('./lib');
const { test, assert, assertStatus, brief, login, withCookie, cliRun, assertExit, run, sleep, pool, demoRegions, RUN_TAG, ADMIN_PASSWORD, backend } = lib;

const TESTS = [
    'two servers, one database: a session from one works on the other; a lock through one holds on the other',
    'PostgreSQL restarts under load: 503 during the outage, both servers recover, no acknowledged write lost',
    'migrate-data: the demo county from SQLite into PostgreSQL: same answers, statistics and work summary, check passes, a second run changes nothing',
];

if (backend.KIND !== 'pg') {
    lib.skipTests(TESTS, 'PostgreSQL only');
} else {
    register();
}

// Two servers on one copy of the demo database.
async function twoServers(ctx, extra = {}) {
    const a = await ctx.serverWith(extra);
    const b = await ctx.serverWith(Object.assign({}, extra, { db: a.db, token: a.token }));
    return [a, b];
}

function register() {
    test(TESTS[0], async (ctx) => {
        const [a, b] = await twoServers(ctx, { args: ['--lock-attempts', '3'] });
        const reg = await demoRegions(a);
        const name = `pgc${RUN_TAG}`;
        const pw = lib.USER_PASSWORD;
        await a.createUser(name, 'county_admin', reg.county, pw);
        // A session made on A is good on B, and a logout on B ends it on A.
        const s = await login(a, name, pw);
        assert.strictEqual(s.status, 200, `login on A: ${brief(s.res)}`);
        const onB = await withCookie(b, 'GET', '/api/v1/session', s.cookie);
        assertStatus(onB, 200, 'the session of A on B');
        assert.strictEqual(onB.json.user.username, name, 'B knows who the session is');
        const w = await withCookie(b, 'POST', '/api/v1/volunteers', s.cookie, { csrf: s.csrf, body: { name: `跨服${RUN_TAG}`, region: reg.village } });
        assertStatus(w, 201, 'a write on B with the session and CSRF token of A');
        assertStatus(await withCookie(a, 'GET', `/api/v1/volunteers/${w.json.id}`, s.cookie), 200, 'A reads what B wrote');
        assertStatus(await withCookie(b, 'DELETE', '/api/v1/session', s.cookie, { csrf: s.csrf }), [200, 204], 'logout on B');
        assertStatus(await withCookie(a, 'GET', '/api/v1/session', s.cookie), 401, 'the session on A after the logout on B');
        // Wrong passwords through A lock the account on B too.
        for (let i = 0; i < 3; i++) {
            const r = await login(a, name, 'Wrong-pass-2025!x');
            assert.ok([401, 429].includes(r.status), `wrong password ${i + 1} on A: ${brief(r.res)}`);
        }
        const locked = await login(b, name, pw);
        assert.strictEqual(locked.status, 429, `the right password on B while A locked the account: ${brief(locked.res)}`);
    });

    test(TESTS[1], { timeout: 240000 }, async (ctx) => {
        const dir = process.env.SAFECOMM_TEST_PG_DIR;
        assert.ok(dir, 'SAFECOMM_TEST_PG_DIR (the test cluster, see the Makefile) is not set');
        const [a, b] = await twoServers(ctx, { env: { SAFECOMM_PG_STATEMENT_TIMEOUT_MS: '5000' } });
        const reg = await demoRegions(a);
        const acked = new Map(); // id -> title
        const statuses = new Map();
        let slowest = 0;
        let stop = false;
        const wrong = []; // answers other than 201 and 503
        let seq = 0;
        const writer = async (s) => {
            while (!stop) {
                const title = `重启${RUN_TAG}-${seq++}`;
                const t0 = Date.now();
                let r;
                try {
                    r = await s.admin('POST', '/api/v1/activities', { body: { title, kind: 'drill', held_on: '2025-06-01', region: reg.village }, timeout: 30000 });
                } catch (e) {
                    statuses.set('no answer', (statuses.get('no answer') || 0) + 1);
                    continue;
                }
                slowest = Math.max(slowest, Date.now() - t0);
                statuses.set(r.status, (statuses.get(r.status) || 0) + 1);
                if (r.status === 201) acked.set(r.json.id, { title, s });
                else if (r.status !== 503) wrong.push(brief(r));
                else await sleep(20);
            }
        };
        const writers = [writer(a), writer(b), writer(a), writer(b)];
        while (acked.size < 20 && !wrong.length) await sleep(20);
        // pg_ctl restart as postgres (PostgreSQL refuses root).
        const pgctl = fs.readdirSync('/usr/lib/postgresql').sort().map((v) => `/usr/lib/postgresql/${v}/bin/pg_ctl`).filter((p) => fs.existsSync(p)).pop();
        const asPg = process.getuid() === 0 ? ['runuser', ['-u', 'postgres', '--', pgctl]] : [pgctl, []];
        const stopped = await run(asPg[0], [...asPg[1], '-D', path.join(dir, 'data'), '-m', 'fast', '-w', 'stop'], { timeout: 60000 });
        assert.strictEqual(stopped.code, 0, `pg_ctl stop: ${stopped.stderr}`);
        const downAt = Date.now();
        await sleep(2000); // the outage
        const during = statuses.get(503) || 0;
        const started = await run(asPg[0], [...asPg[1], '-D', path.join(dir, 'data'), '-l', path.join(dir, 'server.log'), '-w', 'start'], { timeout: 60000 });
        assert.strictEqual(started.code, 0, `pg_ctl start: ${started.stderr}`);
        // Both servers recover without a restart.
        const recovered = async (s) => {
            const t0 = Date.now();
            for (;;) {
                const r = await s.admin('GET', '/api/v1/activities?page_size=1');
                if (r.status === 200) return Date.now() - t0;
                assert.ok(r.status === 503, `a read after the restart: ${brief(r)}`);
                assert.ok(Date.now() - t0 < 60000, 'a server did not recover within 60 s');
                await sleep(100);
            }
        };
        const rec = [await recovered(a), await recovered(b)];
        const before = acked.size;
        while (acked.size < before + 20 && !wrong.length) await sleep(20);
        stop = true;
        await Promise.all(writers);
        assert.deepStrictEqual(wrong.slice(0, 5), [], `writes answered neither 201 nor 503 (${wrong.length})`);
        ctx.note(`statuses ${JSON.stringify(Object.fromEntries(statuses))}; 503 during the ${Date.now() - downAt} ms outage: ${during}; slowest answer ${slowest} ms; recovered after ${rec.join(' / ')} ms`);
        assert.ok(during > 0, 'no request was answered 503 while PostgreSQL was down');
        assert.ok(slowest < 20000, `a request took ${slowest} ms (the statement timeout is 5 s)`);
        // No acknowledged write is lost, whichever server wrote it.
        const missing = [];
        await pool([...acked.entries()], 8, async ([id, { title }]) => {
            const g = await (id % 2 ? a : b).admin('GET', `/api/v1/activities/${id}`);
            if (g.status !== 200 || g.json.title !== title) missing.push(`${id}: ${brief(g)}`);
        });
        assert.deepStrictEqual(missing, [], `${missing.length} of ${acked.size} acknowledged writes lost`);
        await a.stop();
        await b.stop();
        assertExit(await cliRun(['check', '--db', a.db], { timeout: 120000 }), 0, 'check after the restart');
    });

    test(TESTS[2], { timeout: 240000 }, async (ctx) => {
        // The source: the demo county in a real SQLite file.
        const src = path.join(ctx.tmpDir(), 'county.db');
        backend.keepNative(src);
        await lib.cli(['demo', '--db', src], { env: { SAFECOMM_ADMIN_PASSWORD: ADMIN_PASSWORD }, timeout: 300000 });
        const token = (await lib.cli(['token', 'create', '--db', src, '--username', 'admin'])).stdout.trim();
        const dst = path.join(ctx.tmpDir(), 'province.db'); // stands for a PostgreSQL database
        await backend.createDb(dst);
        const to = backend.uriOf(dst);
        const m = await cliRun(['migrate-data', '--from', `sqlite:${src}`, '--to', to, '--key-file', src + '.key'], { timeout: 300000 });
        assertExit(m, 0, 'migrate-data');
        fs.copyFileSync(src + '.key', dst + '.key');
        fs.chmodSync(dst + '.key', 0o600);
        const ck = await cliRun(['check', '--db', dst]);
        assertExit(ck, 0, 'check of the migrated database');
        assert.match(ck.stdout, /audit hash chain \(\d+ entries\)/, 'check covers the audit chain');
        // The same answers from a server on each.
        const sq = await ctx.serverWith({ db: src, token });
        const pg = await ctx.serverWith({ db: dst, token });
        const paths = [
            '/api/v1/regions?page_size=5&parent=511621000000',
            '/api/v1/volunteers?page_size=50&sort=-created_at',
            '/api/v1/activities?page_size=50&sort=held_on',
            '/api/v1/care_households?page_size=20',
            `/api/v1/volunteers?q=${encodeURIComponent('张')}&page_size=20`,
            `/api/v1/activities?q=${encodeURIComponent('安全')}&page_size=20`,
            '/api/v1/volunteers/1',
            '/api/v1/activities/7',
            '/api/v1/audit?page_size=30',
            '/api/v1/users?page_size=50',
        ];
        for (const p of paths) {
            const x = await sq.admin('GET', p);
            const y = await pg.admin('GET', p);
            assertStatus(x, 200, `SQLite GET ${p}`);
            assertStatus(y, 200, `PostgreSQL GET ${p}`);
            assert.deepStrictEqual(y.json, x.json, `GET ${p} differs between SQLite and the migrated PostgreSQL`);
        }
        // Acceptance 4: the statistics and the work summary are the same on
        // both: the county and a township, this year and the two demo years.
        const year = new Date().getFullYear();
        for (const region of ['511621000000', '511621101000']) {
            for (const y of [2024, 2025, year]) {
                const q = `region=${region}&year=${y}`;
                const x = await sq.admin('GET', `/api/v1/stats?${q}`);
                const z = await pg.admin('GET', `/api/v1/stats?${q}`);
                assertStatus(x, 200, `SQLite stats ${q}`);
                assertStatus(z, 200, `PostgreSQL stats ${q}`);
                assert.ok(x.json.hazards.found + x.json.activities.count > 0 || y === year, `the demo has records in ${q}`);
                assert.deepStrictEqual(z.json, x.json, `GET /api/v1/stats?${q} differs between SQLite and the migrated PostgreSQL`);
                for (const fmt of ['md', 'html', 'json', 'docx']) {
                    const a = await sq.admin('GET', `/api/v1/reports/work-summary?${q}&format=${fmt}`);
                    const b = await pg.admin('GET', `/api/v1/reports/work-summary?${q}&format=${fmt}`);
                    assertStatus(a, 200, `SQLite work summary ${q} ${fmt}`);
                    assertStatus(b, 200, `PostgreSQL work summary ${q} ${fmt}`);
                    assert.ok(Buffer.compare(a.bytes, b.bytes) === 0, `the ${fmt} work summary of ${q} differs between SQLite and the migrated PostgreSQL`);
                }
            }
        }
        // And from the command line, on each database.
        const outs = [];
        for (const db of [src, dst]) {
            const out = path.join(ctx.tmpDir(), `summary-${outs.length}.md`);
            assertExit(await cliRun(['report', '--db', db, 'work-summary', '--region', '511621000000', '--year', '2025', '-o', out]), 0, `report on ${db}`);
            outs.push(fs.readFileSync(out, 'utf8'));
        }
        assert.ok(outs[0].includes('岳池县2025年安全社区创建工作总结'), 'the summary has its title');
        assert.strictEqual(outs[1], outs[0], 'the CLI summary differs between SQLite and PostgreSQL');
        // New ids continue after the migrated ones.
        const reg = await demoRegions(pg);
        const n = await pg.admin('POST', '/api/v1/volunteers', { body: { name: `迁移后${RUN_TAG}`, region: reg.village } });
        assertStatus(n, 201, 'a new row on the migrated database');
        const max = Number(await lib.sqlite(src, 'SELECT max(id) FROM volunteers'));
        assert.ok(n.json.id > max, `the new id ${n.json.id} is not after the migrated ones (${max})`);
        await pg.stop();
        // Resumable and idempotent: a second run changes nothing.
        const count = async () => Number(await lib.sqlite(dst, 'SELECT count(*) FROM audit_log'));
        const c1 = await count();
        assertExit(await cliRun(['migrate-data', '--from', `sqlite:${src}`, '--to', to, '--key-file', src + '.key'], { timeout: 300000 }), 0, 'a second migrate-data');
        assert.strictEqual(await count(), c1, 'the second run changed the audit log');
        assertExit(await cliRun(['check', '--db', dst]), 0, 'check after the second run');
    });
}
