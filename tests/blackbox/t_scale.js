'use strict';
// `safecomm demo --scale` (issue 18): the demo county grown to 300 villages
// and the records of every module in proportion, through the import's
// validated bulk path. Run with --scale-divisor 100 so that it takes
// seconds: the main entities' counts (persons 200,000, hazards 50,000,
// incidents and injury cases 300,000, activities 20,000 per county) divided
// by 100 are checked through the API against what the command says it
// wrote, the ID numbers are valid and sealed, `check` passes, the county's
// statistics count the new cards (the import's aggregates), the same seed
// gives the same records, and the refusals (province on SQLite, a second
// run, bad options) say why.
const {
    test,
    assert,
    assertStatus,
    cliRun,
    assertExit,
    textLines,
    skipTests,
    idNumber,
    ADMIN_PASSWORD,
    COUNTY,
    BACKEND,
} = require('./lib');

const DIVISOR = 100;
// The issue's sizes of one county, divided.
const MAIN = { persons: 200000, hazards: 50000, activities: 20000 };
const INCIDENTS_AND_INJURIES = 300000;

// The rows the command reports writing: {entity: n}, from its stdout lines
// "entity<TAB>label<TAB>n".
function reported(stdout) {
    const out = {};
    for (const line of textLines(stdout)) {
        const m = /^([a-z_]+)\t[^\t]+\t(\d+)$/.exec(line);
        if (m) out[m[1]] = Number(m[2]);
    }
    return out;
}

async function total(s, path) {
    const r = await s.admin('GET', path + (path.includes('?') ? '&' : '?') + 'page_size=1');
    assertStatus(r, 200, `GET ${path}`);
    return r.json.total;
}

// The demo database copied and scaled: {db, token, out, stdout}.
async function scaled(ctx, seed) {
    const c = await ctx.demoCopy();
    const args = ['demo', '--db', c.db, '--scale', 'county', '--scale-divisor', String(DIVISOR)];
    if (seed) args.push('--seed', seed);
    const r = assertExit(await cliRun(args, { env: { SAFECOMM_ADMIN_PASSWORD: ADMIN_PASSWORD }, timeout: 600000 }), 0, 'demo --scale county');
    // The progress and the rate on stderr, the counts and the rate on stdout.
    assert.match(r.stderr, /人员：\d+ \/ \d+（共 \d+ 行，\d+ 秒，\d+ 行\/秒）/, 'a progress line on stderr');
    assert.match(r.stdout, /^共 \d+ 行，用时 [\d.]+ 秒，\d+ 行\/秒$/m, 'the rate at the end');
    return { db: c.db, token: c.token, out: reported(r.stdout), stdout: r.stdout };
}

test('demo --scale county (divided by 100): 300 villages, every module in proportion, IDs valid and sealed, check passes, the statistics count the new records', { timeout: 900000 }, async (ctx) => {
    const before = await ctx.server();
    const sc = await scaled(ctx);
    const after = await ctx.serverWith({ db: sc.db, token: sc.token });

    // The county has 300 villages (a village has three grids, as the demo's).
    assert.strictEqual(await total(after, '/api/v1/regions?level=village'), 300, 'villages of the scaled county');
    assert.strictEqual(await total(after, '/api/v1/regions?level=grid'), 900, 'grids: three a village');

    // The main entities: what the issue asks, divided.
    for (const [e, n] of Object.entries(MAIN)) assert.strictEqual(sc.out[e], n / DIVISOR, `${e} written`);
    assert.strictEqual(sc.out.incidents + sc.out.injury_cases, INCIDENTS_AND_INJURIES / DIVISOR, 'incidents and injury cases together');

    // Every module has rows, and each entity the command names has exactly
    // that many more live rows through the list API.
    const entities = Object.keys(sc.out).filter((e) => e !== 'regions');
    for (const e of ['units', 'inspections', 'volunteers', 'volunteer_services', 'care_households', 'care_visits', 'help_subjects', 'disputes', 'rental_houses', 'tenants', 'dangerous_houses', 'campaign_funds', 'supervisions', 'risks', 'projects', 'project_records', 'evaluations', 'meetings', 'responsibility_letters', 'donations', 'surveys'])
        assert.ok(sc.out[e] > 0, `the command wrote ${e}`);
    for (const e of entities) {
        const was = await total(before, `/api/v1/${e}`);
        const now = await total(after, `/api/v1/${e}`);
        assert.strictEqual(now - was, sc.out[e], `${e}: ${was} before, ${now} after, ${sc.out[e]} reported`);
    }

    // The ID numbers: masked in the list, sealed (check opens every one with
    // its own row), and valid when revealed, check character included.
    const list = await after.admin('GET', '/api/v1/persons?sort=-id&page_size=20');
    assertStatus(list, 200, 'persons');
    for (const p of list.json.items) {
        assert.match(p.id_number, /^\d{3}\*{14}[\dX]$/, `person ${p.id}'s ID number is masked`);
        const rv = await after.admin('POST', `/api/v1/persons/${p.id}/reveal`, { body: { reason: '核对生成数据' } });
        assertStatus(rv, 200, `reveal person ${p.id}`);
        const id = rv.json.fields.id_number;
        assert.match(id, /^\d{17}[\dX]$/, `person ${p.id}'s ID number`);
        assert.strictEqual(idNumber(id.slice(0, 17)), id, `person ${p.id}'s check character`);
        assert.strictEqual(rv.json.fields.birth_date.replace(/-/g, ''), id.slice(6, 14), `person ${p.id}'s birth date is the ID's`);
    }
    const q = await after.admin('GET', `/api/v1/persons?id_number=${(await after.admin('POST', `/api/v1/persons/${list.json.items[0].id}/reveal`, { body: { reason: '核对查找' } })).json.fields.id_number}`);
    assertStatus(q, 200, 'look-up by the full ID number');
    assert.strictEqual(q.json.total, 1, 'the keyed hash finds the generated person');

    // One audit entry per entity and chunk, not one per row.
    const audit = await after.admin('GET', '/api/v1/audit?action=import&page_size=100');
    assertStatus(audit, 200, 'audit');
    const gen = audit.json.items.filter((a) => a.changes && a.changes.kind === 'generated');
    assert.ok(gen.some((a) => a.entity === 'persons' && a.changes.rows === sc.out.persons), 'the persons\' import entry counts their rows');

    // The statistics of the county answer, and count the new cards of 2025
    // as the list does: the import's aggregates were written.
    const range = 'injured_on_from=2025-01-01&injured_on_to=2025-12-31';
    const cards = (await total(after, `/api/v1/injury_cases?${range}`)) - (await total(before, `/api/v1/injury_cases?${range}`));
    assert.ok(cards > 0, 'cards of 2025 were generated');
    const st0 = await before.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2025`);
    const st1 = await after.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2025`);
    assertStatus(st1, 200, 'the county\'s statistics');
    assert.strictEqual(st1.json.injuries.total - st0.json.injuries.total, cards, 'injuries of 2025 in the statistics');
    assert.ok(st1.json.hazards.found > st0.json.hazards.found, 'hazards found grew');
    assert.ok(st1.json.activities.count > st0.json.activities.count, 'activities grew');
    assert.strictEqual(st1.json.children.length, st0.json.children.length + 9, 'nine new townships in the per-child table');

    // The database's invariants.
    const chk = assertExit(await cliRun(['check', '--db', sc.db], { timeout: 600000 }), 0, 'check after the scale');
    assert.match(chk.stdout, /全部检查通过/, 'check passes');
    assert.doesNotMatch(chk.stdout, /FAIL/, 'no check failed');

    // A second run adds nothing.
    const again = assertExit(await cliRun(['demo', '--db', sc.db, '--scale', 'county', '--scale-divisor', String(DIVISOR)]), 0, 'a second scale run');
    assert.match(again.stdout, /规模数据已存在（county），未重复载入/, 'the second run says it did nothing');
    assert.strictEqual(await total(after, '/api/v1/persons'), (await total(before, '/api/v1/persons')) + sc.out.persons, 'no more persons');
});

test('demo --scale: the same seed gives the same records, another seed others', { timeout: 900000 }, async (ctx) => {
    const a = await scaled(ctx);
    const b = await scaled(ctx);
    const c = await scaled(ctx, '7');
    const sa = await ctx.serverWith({ db: a.db, token: a.token });
    const sb = await ctx.serverWith({ db: b.db, token: b.token });
    const scc = await ctx.serverWith({ db: c.db, token: c.token });
    const rows = async (s) => {
        const r = await s.admin('GET', '/api/v1/hazards?sort=-id&page_size=100');
        assertStatus(r, 200, 'hazards');
        return r.json.items.map((h) => [h.region, h.title, h.found_at, h.state, h.grade, h.notice_no].join('|'));
    };
    assert.deepStrictEqual(await rows(sb), await rows(sa), 'the same seed: the same hazards');
    assert.notDeepStrictEqual(await rows(scc), await rows(sa), 'seed 7: other hazards');
});

test('demo --scale: bad options are usage errors', async (ctx) => {
    const c = await ctx.demoCopy();
    const cases = [
        [['--scale', 'town'], /--scale 必须是 county/],
        [['--scale', 'county', '--scale-divisor', '0'], /--scale-divisor 必须是 1 到 1000000/],
        [['--scale-divisor', '10'], /--scale-divisor 只能与 --scale 一起使用/],
    ];
    for (const [extra, msg] of cases) assertExit(await cliRun(['demo', '--db', c.db, ...extra]), 2, `demo ${extra.join(' ')}`, { stderr: msg });
});

if (BACKEND === 'sqlite') {
    test('demo --scale province on SQLite is refused: it needs PostgreSQL', async (ctx) => {
        const c = await ctx.demoCopy();
        const r = assertExit(await cliRun(['demo', '--db', c.db, '--scale', 'province', '--scale-divisor', '1000']), 2, 'province on SQLite', {
            stderr: /省级规模.*需要 PostgreSQL/,
        });
        assert.strictEqual(textLines(r.stderr).length, 1, 'one line says why');
    });
} else {
    skipTests(['demo --scale province on SQLite is refused: it needs PostgreSQL'], 'SQLite only');
}
