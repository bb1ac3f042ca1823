'use strict';
// Endurance (issue 18), the short forms that run in `make test`; the long
// forms are the same tests with larger settings (docs/reliability.md):
// - kill cycles: SIGKILL at a random moment while clients create records,
//   an import runs and (SQLite) a backup runs; after each, `check` passes,
//   every acknowledged write is there and no import is half there
//   (SAFECOMM_KILL_CYCLES, default 10);
// - the disk full: the database on a small tmpfs that fills up: writes answer
//   503 with the envelope, reads go on, nothing is corrupted, and once space
//   is freed writes succeed again without a restart (SQLite; needs root to
//   mount the tmpfs);
// - a soak: a mixed load at 64 connections (80 % point reads, 15 % lists and
//   statistics, 5 % writes) for SAFECOMM_SOAK_SECONDS (default 60): no error,
//   no 5xx, memory that stops growing, `check` passing after, and the rows
//   equal to the writes acknowledged (SQLite).
const fs = require('node:fs');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const lib = require('./lib');
const { test, assert, assertStatus, brief, demoRegions, multipart, sleep, RUN_TAG, BIN } = lib;

const CYCLES = Number(process.env.SAFECOMM_KILL_CYCLES || 10);
const SOAK_S = Number(process.env.SAFECOMM_SOAK_SECONDS || 60);
const SOAK_SCALE = process.env.SAFECOMM_SOAK_SCALE || '';
const SOAK_DIVISOR = Number(process.env.SAFECOMM_SOAK_DIVISOR || 1);
const IMPORT_ROWS = 2000;

async function checkPasses(s, what) {
    const chk = await s.cli(['check', '--db', s.db], { check: false, timeout: 180000 });
    assert.strictEqual(chk.code, 0, `${what}: safecomm check exited ${chk.code}: ${(chk.stderr + chk.stdout).slice(-1500)}`);
}

// Every row whose name holds term, by id (pages through the list).
async function idsNamed(s, term) {
    const out = new Map();
    for (let page = 1; page < 200; page++) {
        const r = await s.admin('GET', `/api/v1/volunteers?q=${encodeURIComponent(term)}&page_size=500&page=${page}&sort=created_at`);
        assertStatus(r, 200, `q=${term} page ${page}`);
        for (const o of r.json.items) if (o.name.includes(term)) out.set(String(o.id), o.name);
        if (r.json.items.length < 500) break;
    }
    return out;
}

test('kill cycles: SIGKILL during writes, an import and a backup; check passes, acknowledged writes stay, no import half there', { timeout: 60000 + CYCLES * 45000 }, async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const acked = new Map(); // id -> name
    const imports = []; // {tag, acked}
    const backups = []; // {file, code}
    let lostImports = 0;
    const busy = { writes: 0, imports: 0 };
    const failures = []; // collected, not thrown from the clients (thrown after the cycle)
    for (let cycle = 0; cycle < CYCLES; cycle++) {
        if (cycle > 0) await s.start();
        let stop = false;
        const writer = async (w) => {
            for (let i = 0; !stop; i++) {
                const name = `杀${RUN_TAG}c${cycle}w${w}n${i}`;
                try {
                    const r = await s.admin('POST', '/api/v1/volunteers', { body: { name, region: reg.village, hours: 1 }, timeout: 20000 });
                    if (r.status === 201) acked.set(String(r.json.id), name);
                    // Waiting behind the import's transaction past the lock
                    // timeout is "busy, retry" (503), not a failure.
                    else if (r.status === 503 && r.json && r.json.error && r.json.error.code === 'unavailable') busy.writes++;
                    else if (!stop) failures.push(`cycle ${cycle} write: ${brief(r)}`);
                } catch (e) {
                    if (!stop) failures.push(`cycle ${cycle} write: ${e.message}`);
                    return;
                }
            }
        };
        const tag = `导${RUN_TAG}c${cycle}`;
        const csv = '姓名,区域代码,服务时长\n' + Array.from({ length: IMPORT_ROWS }, (_, i) => `${tag}r${i},${reg.village},2`).join('\n') + '\n';
        const imp = { tag, acked: false };
        imports.push(imp);
        const importer = (async () => {
            const m = multipart('file', 'kill.csv', 'text/csv', Buffer.from(csv, 'utf8'));
            try {
                const r = await s.admin('POST', '/api/v1/volunteers/import', { raw: m.body, headers: { 'Content-Type': m.contentType }, timeout: 60000 });
                if (r.status === 200 || r.status === 201) imp.acked = true;
                else if (r.status === 503 && r.json && r.json.error && r.json.error.code === 'unavailable') busy.imports++;
                else if (!stop) failures.push(`cycle ${cycle} import: ${brief(r)}`);
            } catch (e) {
                if (!stop) failures.push(`cycle ${cycle} import: ${e.message}`);
            }
        })();
        // A backup beside the server (SQLite: an online copy), killed too.
        let bk = null;
        if (lib.BACKEND !== 'pg') {
            const file = path.join(ctx.tmpDir(), `b${cycle}.zip`);
            const proc = spawn(BIN, ['backup', '--db', s.db, '-o', file], { stdio: 'ignore' });
            bk = { file, proc, code: null };
            bk.done = new Promise((res) => proc.on('exit', (code, sig) => res((bk.code = code === null ? sig : code))));
            // Killed at a moment of its own, which may come after it ended.
            bk.timer = setTimeout(() => bk.code === null && proc.kill('SIGKILL'), Math.floor(Math.random() * 4000));
            backups.push(bk);
        }
        const writers = Array.from({ length: 6 }, (_, w) => writer(w));
        const t0 = Date.now();
        while (acked.size === 0 && Date.now() - t0 < 30000) await sleep(20);
        await sleep(50 + Math.floor(Math.random() * 2500));
        stop = true;
        await s.kill();
        await Promise.all([...writers, importer, ...(bk ? [bk.done] : [])]);
        assert.deepStrictEqual(failures, [], 'answers other than 2xx or busy before the kill');
        await checkPasses(s, `cycle ${cycle}`);
    }
    await s.start();
    // Every acknowledged write is there, with its name.
    const have = await idsNamed(s, `杀${RUN_TAG}`);
    const missing = [...acked.keys()].filter((id) => have.get(id) !== acked.get(id));
    assert.strictEqual(missing.length, 0, `${missing.length} of ${acked.size} acknowledged creates lost, e.g. ${missing.slice(0, 5)}`);
    // An import is all there or not at all; one acknowledged is all there.
    for (const imp of imports) {
        // The tag ends before the row's number: c1r is not a prefix of c10r.
        const n = (await idsNamed(s, `${imp.tag}r`)).size;
        assert.ok(n === 0 || n === IMPORT_ROWS, `import ${imp.tag}: ${n} of ${IMPORT_ROWS} rows visible`);
        if (imp.acked) assert.strictEqual(n, IMPORT_ROWS, `import ${imp.tag} was acknowledged but has ${n} rows`);
        if (n === 0) lostImports++;
    }
    // A backup that finished is a whole archive; one killed left nothing
    // under the name asked for, or (killed after its rename) a whole one.
    let whole = 0;
    for (const b of backups) {
        if (fs.existsSync(b.file)) {
            const list = execFileSync('unzip', ['-l', b.file]).toString();
            assert.ok(/\d+\s+\d+ files?/.test(list), `backup ${b.file} is not a whole zip`);
            whole++;
        } else {
            assert.notStrictEqual(b.code, 0, `backup ${b.file} said it finished, but there is no file`);
        }
    }
    // What killed backups left beside their targets (temporary files) is
    // removed by the next backup into that directory.
    const dir = backups.length ? path.dirname(backups[0].file) : null;
    const tmpLeft = () => (dir ? fs.readdirSync(dir).filter((f) => f.startsWith('.safecomm-tmp-')) : []);
    const leftovers = tmpLeft().length;
    if (dir) {
        const last = await s.cli(['backup', '--db', s.db, '-o', path.join(dir, 'last.zip')], { check: false, timeout: 120000 });
        assert.strictEqual(last.code, 0, `a backup after the cycles: ${last.stderr}`);
        assert.deepStrictEqual(tmpLeft(), [], 'the next backup removed what killed backups left');
    }
    ctx.note(`${CYCLES} cycles: ${busy.writes} writes and ${busy.imports} imports answered busy (503); ${acked.size} creates acknowledged, all there; ${imports.length - lostImports} of ${imports.length} imports landed whole, the rest not at all; ${whole} of ${backups.length} backups finished; ${leftovers} temporary files left by killed backups, removed by the next`);
    await s.stop();
    await checkPasses(s, 'after the cycles');
});

function sqliteOnly(name, opts, fn) {
    if (lib.BACKEND === 'pg') lib.skipTests([name], 'SQLite only');
    else test(name, opts, fn);
}

const DISKFULL = 'disk full: writes answer 503 with the envelope, reads go on, nothing is corrupted, writes resume once space is freed';
if (process.getuid && process.getuid() !== 0) lib.skipTests([DISKFULL], 'needs root to mount a tmpfs');
else
    sqliteOnly(DISKFULL, { timeout: 180000 }, async (ctx) => {
        const c = await ctx.demoCopy();
        const mnt = path.join(ctx.tmpDir(), 'full');
        fs.mkdirSync(mnt);
        const dbSize = fs.statSync(c.db).size;
        // Room for the database and its log, and a little more.
        const size = Math.ceil((dbSize * 1.6) / 1048576) + 8;
        execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}m`, 'tmpfs', mnt]);
        try {
            for (const f of fs.readdirSync(path.dirname(c.db)))
                if (f.startsWith(path.basename(c.db))) fs.copyFileSync(path.join(path.dirname(c.db), f), path.join(mnt, f));
            const db = path.join(mnt, path.basename(c.db));
            const s = await ctx.serverWith({ db, token: c.token });
            const reg = await demoRegions(s);
            const before = await s.admin('POST', '/api/v1/volunteers', { body: { name: `满前${RUN_TAG}`, region: reg.village } });
            assertStatus(before, 201, 'a write before the disk fills');
            // Fill the disk with a ballast file.
            const ballast = path.join(mnt, 'ballast');
            const fd = fs.openSync(ballast, 'w');
            const chunk = Buffer.alloc(1 << 20, 0x5a);
            try {
                for (;;) fs.writeSync(fd, chunk);
            } catch (e) {
                assert.strictEqual(e.code, 'ENOSPC', `filling the disk: ${e.message}`);
            }
            try {
                for (;;) fs.writeSync(fd, chunk.subarray(0, 4096));
            } catch (e) {
                /* full to the last page */
            }
            fs.closeSync(fd);
            // Writes big enough to need new pages fail cleanly, one after another.
            const note = 'x'.repeat(490);
            let refused = 0;
            let ok = 0;
            for (let i = 0; i < 60; i++) {
                const r = await s.admin('POST', '/api/v1/volunteers', { body: { name: `满${RUN_TAG}-${i}`, region: reg.village, note } });
                if (r.status === 201) {
                    ok++;
                    continue;
                }
                assert.ok(r.status === 503 || r.status === 507, `a write on a full disk: ${brief(r)}`);
                assert.ok(r.json && r.json.error && r.json.error.code && r.json.error.message, `the envelope: ${brief(r)}`);
                refused++;
            }
            assert.ok(refused > 0, `no write was refused on the full disk (${ok} went through)`);
            // Reads go on.
            const read = await s.admin('GET', `/api/v1/volunteers?q=${encodeURIComponent('满前' + RUN_TAG)}`);
            assertStatus(read, 200, 'a read on a full disk');
            assert.strictEqual(read.json.total, 1, 'the row written before is read');
            assertStatus(await s.admin('GET', `/api/v1/stats?region=${reg.township}&year=2025`), 200, 'statistics on a full disk');
            // Space freed: the server recovers by itself.
            fs.unlinkSync(ballast);
            const after = await s.admin('POST', '/api/v1/volunteers', { body: { name: `满后${RUN_TAG}`, region: reg.village, note } });
            assertStatus(after, 201, 'a write once space is freed, without a restart');
            const got = await s.admin('GET', `/api/v1/volunteers/${after.json.id}`);
            assertStatus(got, 200, 'the write after recovery reads back');
            ctx.note(`${refused} writes refused on the full disk, ${ok} fitted in the free pages`);
            await s.stop();
            await checkPasses(s, 'after the disk filled');
        } finally {
            try {
                execFileSync('umount', ['-l', mnt]);
            } catch (e) {
                /* left for the run's cleanup */
            }
        }
    });

function rssKb(pid) {
    try {
        const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m ? Number(m[1]) : 0;
    } catch (e) {
        return 0;
    }
}

sqliteOnly(`soak: ${SOAK_S} s of mixed load at 64 connections: no error, no 5xx, memory bounded, check passes, rows equal the writes acknowledged`, { timeout: SOAK_S * 1000 + (SOAK_SCALE ? 2400000 : 240000) }, async (ctx) => {
    // The sanitizer build keeps freed memory in a quarantine (256 MB by
    // default) that would read as growth: a small one here.
    const asan = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=16'].filter(Boolean).join(':');
    // SAFECOMM_SOAK_SCALE=county (the long run): the demo grown to a county's
    // size first (`demo --scale county`, SAFECOMM_SOAK_DIVISOR to shrink it).
    let base = {};
    if (SOAK_SCALE) {
        const c = await ctx.demoCopy();
        const args = ['demo', '--db', c.db, '--scale', SOAK_SCALE, '--scale-divisor', String(SOAK_DIVISOR)];
        const r = await lib.cliRun(args, { env: { SAFECOMM_ADMIN_PASSWORD: lib.ADMIN_PASSWORD }, timeout: 1800000 });
        assert.strictEqual(r.code, 0, `demo --scale ${SOAK_SCALE}: ${r.stderr}`);
        base = { db: c.db, token: c.token };
    }
    const s = await ctx.serverWith({ ...base, env: { ASAN_OPTIONS: asan } });
    const reg = await demoRegions(s);
    const ids = (await s.admin('GET', '/api/v1/volunteers?page_size=100')).json.items.map((o) => o.id);
    assert.ok(ids.length > 0, 'the demo has volunteers to read');
    const tag = `浸${RUN_TAG}`;
    const statuses = new Map();
    const lat = [];
    let acked = 0;
    let errors = 0;
    let stop = false;
    const pick = (a) => a[Math.floor(Math.random() * a.length)];
    const one = async (w, i) => {
        const x = Math.random();
        if (x < 0.8) return s.admin('GET', pick([`/api/v1/volunteers/${pick(ids)}`, `/api/v1/regions/${reg.village}`]));
        if (x < 0.95) return s.admin('GET', pick([`/api/v1/hazards?page_size=20&region=${reg.township}`, `/api/v1/stats?region=${reg.township}&year=2025`, `/api/v1/volunteers?page_size=20&sort=-created_at`]));
        const r = await s.admin('POST', '/api/v1/volunteers', { body: { name: `${tag}w${w}n${i}`, region: reg.village, hours: 1 } });
        if (r.status === 201) acked++;
        return r;
    };
    const worker = async (w) => {
        for (let i = 0; !stop; i++) {
            const t0 = process.hrtime.bigint();
            try {
                const r = await one(w, i);
                statuses.set(r.status, (statuses.get(r.status) || 0) + 1);
            } catch (e) {
                errors++;
            }
            lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
    };
    const pid = s.proc.pid;
    const rss = [];
    const sampler = setInterval(() => rss.push(rssKb(pid)), 2000);
    const workers = Array.from({ length: 64 }, (_, w) => worker(w));
    await sleep(SOAK_S * 1000);
    stop = true;
    await Promise.all(workers);
    clearInterval(sampler);
    lat.sort((a, b) => a - b);
    const p99 = lat[Math.floor(lat.length * 0.99)] || 0;
    const non2xx = [...statuses].filter(([st]) => st < 200 || st >= 300);
    ctx.note(`${lat.length} requests in ${SOAK_S} s (${Math.round(lat.length / SOAK_S)}/s), p99 ${p99.toFixed(1)} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}, RSS ${rss[0]} → ${Math.max(...rss)} kB (samples ${rss.length})`);
    assert.strictEqual(errors, 0, `${errors} requests failed at the connection`);
    assert.deepStrictEqual(non2xx, [], 'every answer is 2xx');
    // Memory: after the first sixth of the run (a minute of the long soak),
    // the peak stays within 64 MB of the level then (the sanitizer build's
    // quarantine included).
    const warm = rss[Math.floor(rss.length / 6)] || rss[0];
    const peak = Math.max(...rss.slice(Math.floor(rss.length / 6)));
    assert.ok(peak - warm <= 64 * 1024, `RSS grew from ${warm} to ${peak} kB after the warm-up`);
    const have = await idsNamed(s, tag);
    assert.strictEqual(have.size, acked, `${have.size} soak rows stored, ${acked} acknowledged`);
    await s.stop();
    await checkPasses(s, 'after the soak');
});
