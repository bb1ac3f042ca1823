'use strict';
// Acceptance: crash safety. 8 clients create activities concurrently; the
// server is SIGKILLed mid-stream; `safecomm check` must pass on the database
// as left behind, and after a restart every creation that was acknowledged
// with a 2xx must be there.
const { test, assert, assertStatus, brief, demoRegions, pool, sleep, RUN_TAG } = require('./lib');

const CLIENTS = 8;
const RUN_MS = 2000;

test('SIGKILL under concurrent writes: check passes, every acknowledged row survives', { timeout: 150000 }, async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const regions = [reg.village, reg.village2, reg.township];
    const acked = new Map(); // id -> title
    const errors = new Map(); // kind -> count
    let stop = false;
    let sent = 0;
    const client = async (c) => {
        for (let i = 0; !stop; i++) {
            const title = `崩溃测试${RUN_TAG}-${c}-${i}`;
            sent++;
            try {
                const r = await s.admin('POST', '/api/v1/activities', {
                    body: { title, kind: 'drill', held_on: '2025-06-01', participants: i, region: regions[i % regions.length] },
                    timeout: 20000,
                });
                if (r.status >= 200 && r.status < 300) {
                    assert.ok(r.json && r.json.id !== undefined, `2xx without an id: ${brief(r)}`);
                    acked.set(r.json.id, title);
                } else {
                    errors.set(r.status, (errors.get(r.status) || 0) + 1);
                    if (!stop && r.status >= 500) throw new Error(`server error before the kill: ${brief(r)}`);
                }
            } catch (e) {
                if (!stop) throw e;
                return; // the connection died with the server
            }
        }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    // Make sure writes are flowing before the timer starts.
    const t0 = Date.now();
    while (acked.size === 0 && Date.now() - t0 < 30000) await sleep(20);
    assert.ok(acked.size > 0, 'no creation acknowledged within 30 s');
    await sleep(RUN_MS);
    stop = true;
    await s.kill();
    const settled = await Promise.allSettled(clients);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    ctx.note(`${sent} requests sent, ${acked.size} acknowledged before SIGKILL; other statuses: ${JSON.stringify(Object.fromEntries(errors))}`);

    // The database as the crash left it (WAL included) passes check.
    const chk = await s.cli(['check', '--db', s.db], { check: false, timeout: 120000 });
    assert.strictEqual(chk.code, 0, `safecomm check exited ${chk.code}: ${(chk.stderr + chk.stdout).slice(-2000)}`);

    await s.start();
    const missing = [];
    await pool([...acked.entries()], 8, async ([id, title]) => {
        const g = await s.admin('GET', `/api/v1/activities/${id}`);
        if (g.status !== 200 || g.json.title !== title) missing.push(`${id} (${title}): ${brief(g)}`);
    });
    assert.strictEqual(missing.length, 0, `${missing.length} of ${acked.size} acknowledged rows lost, e.g.\n${missing.slice(0, 5).join('\n')}`);
    // Nothing half-made: every stored test row is a whole row, and the count
    // is at least the acknowledged ones (a request cut by the kill may or may not have landed).
    const l = await s.admin('GET', `/api/v1/activities?q=${encodeURIComponent('崩溃测试' + RUN_TAG)}&page_size=1`);
    assertStatus(l, 200, 'list after restart');
    assert.ok(l.json.total >= acked.size, `list total ${l.json.total} < acknowledged ${acked.size}`);
    assert.ok(l.json.total <= acked.size + CLIENTS, `list total ${l.json.total} > acknowledged ${acked.size} + ${CLIENTS} in flight`);
    // And the server still takes writes.
    const w = await s.admin('POST', '/api/v1/activities', { body: { title: `重启后${RUN_TAG}`, kind: 'drill', held_on: '2025-06-02', region: reg.village } });
    assertStatus(w, 201, 'a write after restart');
    await s.stop();
    const chk2 = await s.cli(['check', '--db', s.db], { check: false, timeout: 120000 });
    assert.strictEqual(chk2.code, 0, `safecomm check after a clean stop exited ${chk2.code}: ${(chk2.stderr + chk2.stdout).slice(-2000)}`);
});

test('SIGTERM lets in-flight requests finish and exits 0', { timeout: 90000 }, async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const acked = [];
    let stop = false;
    const client = async (c) => {
        for (let i = 0; !stop; i++) {
            try {
                const r = await s.admin('POST', '/api/v1/volunteers', { body: { name: `停机${RUN_TAG}-${c}-${i}`, region: reg.village }, timeout: 20000 });
                if (r.status === 201) acked.push(r.json.id);
            } catch (e) {
                return;
            }
        }
    };
    const clients = Array.from({ length: 4 }, (_, c) => client(c));
    await sleep(800);
    const info = await s.stop();
    stop = true;
    await Promise.allSettled(clients);
    assert.strictEqual(info.how, 'SIGTERM', 'the server ignored SIGTERM for 5 s');
    assert.strictEqual(info.code, 0, `exit code after SIGTERM: ${info.code} (signal ${info.signal})`);
    const chk = await s.cli(['check', '--db', s.db], { check: false, timeout: 120000 });
    assert.strictEqual(chk.code, 0, `check after SIGTERM exited ${chk.code}: ${(chk.stderr + chk.stdout).slice(-2000)}`);
    await s.start();
    const lost = [];
    for (const id of acked) {
        const g = await s.admin('GET', `/api/v1/volunteers/${id}`);
        if (g.status !== 200) lost.push(id);
    }
    assert.strictEqual(lost.length, 0, `${lost.length} of ${acked.length} acknowledged rows lost after SIGTERM`);
});
