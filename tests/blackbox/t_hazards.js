'use strict';
// The hazard loop (issue 5): the state machine through the transitions API,
// its refusals (409 illegal, 403 no permission, 404 out of scope, 422 bad
// fields), the working-day deadline of a notice, overdue derived at query
// time, and `safecomm check` against a tampered state. Runs on both backends.

const { test, assert, assertError, assertStatus, sqlite, cli } = require('./lib');

const TOWN = '511621101000'; // 九龙镇
const VILLAGE = '511621101001';
const SIBLING_VILLAGE = '511621102001';

async function token(db, username) {
    const r = await cli(['token', 'create', '--db', db, '--username', username]);
    return r.stdout.trim();
}

async function newHazard(s, body = {}) {
    const r = await s.admin('POST', '/api/v1/hazards', {
        body: Object.assign({ region: VILLAGE, title: '楼道堆放杂物', domain: 'fire', grade: 'general', found_at: '2025-09-20' }, body),
    });
    assertStatus(r, 201, 'POST hazard');
    assert.strictEqual(r.json.state, 'reported');
    assert.strictEqual(r.json.overdue, false);
    return r.json.id;
}

function step(s, id, body, tok) {
    return s.api('POST', `/api/v1/hazards/${id}/transitions`, { token: tok || s.token, body });
}

const ASSIGN = { action: 'assign', deadline_days: 5, responsible_unit: '九龙镇便民超市', responsible_person: '张三', measures: '清理楼道杂物' };

test('hazards: one hazard through every transition and refusal; the notice date + 5 working days', { timeout: 60000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-09-26', '--files-dir', c.db + '.files'] });
    const town = await token(c.db, 'town');
    // Photos are uploaded files (t_photos.js): their ids are SHA-256 hex.
    const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const photos = [];
    for (const tag of ['a', 'b']) {
        const up = await s.api('POST', '/api/v1/files', { token: town, raw: Buffer.concat([PNG, Buffer.from(tag)]), headers: { 'Content-Type': 'image/png' } });
        assertStatus(up, 201, 'upload a photo');
        photos.push(up.json.id);
    }
    const county = await token(c.db, 'county');
    const village = await token(c.db, 'village');
    const unit = await s.admin('POST', '/api/v1/units', { body: { region: VILLAGE, name: '九龙镇便民超市', type: 'shop' } });
    assertStatus(unit, 201, 'POST unit');
    const officer = await s.createUser('hz-officer', 'unit_officer', VILLAGE);
    await cli(['user', 'set', '--db', c.db, '--username', 'hz-officer', '--unit', String(unit.json.id)]);
    const reviewer = await s.createUser('hz-reviewer', 'reviewer', VILLAGE);
    const police = await s.createUser('hz-police', 'police', VILLAGE);
    const otherTown = await s.createUser('hz-town2', 'township_admin', '511621102000');
    const id = await newHazard(s, { unit_id: unit.json.id });

    // A unit officer sees only the hazards of its unit: others are absent.
    const elsewhere = await newHazard(s, { title: '别的单位的隐患' });
    let l = await s.api('GET', '/api/v1/hazards?page_size=500', { token: officer });
    assertStatus(l, 200, 'unit officer lists');
    assert.deepStrictEqual(l.json.items.map((h) => h.id), [id], 'the officer sees its unit only');
    assertStatus(await s.api('GET', `/api/v1/hazards/${elsewhere}`, { token: officer }), 404, 'another unit\'s hazard');
    assertStatus(await s.api('GET', `/api/v1/hazards/${elsewhere}/history`, { token: officer }), 404, 'another unit\'s history');
    assertStatus(await s.api('GET', `/api/v1/hazards/${id}`, { token: officer }), 200, 'its own hazard');
    assertStatus(await s.api('GET', `/api/v1/hazards/board?region=${VILLAGE}`, { token: officer }), 403, 'the board is not for units');
    assertStatus(await step(s, elsewhere, Object.assign({}, ASSIGN), town), 200, 'town assigns the other one');
    assertStatus(await step(s, elsewhere, { action: 'start' }, officer), 404, 'officer starts another unit\'s hazard');

    // Before the notice only assign is legal; 409 names the current state.
    for (const action of ['start', 'report_progress', 'submit', 'accept', 'refuse', 'approve_extension', 'supervise', 'list_publicly', 'delist']) {
        const r = await step(s, id, { action, note: 'x', reason: 'x', level: 'county', letter: 'x' });
        assertStatus(r, 409, `${action} from reported`);
        assert.match(r.json.error.message, /reported/, `${action}: the message names the state`);
    }
    assertStatus(await step(s, id, { action: 'fly' }), 422, 'unknown action');
    // Permissions: village workers, unit officers, reviewers and police do not issue notices.
    assertStatus(await step(s, id, ASSIGN, village), 403, 'village assigns');
    assertStatus(await step(s, id, ASSIGN, officer), 403, 'unit officer assigns');
    assertStatus(await step(s, id, ASSIGN, reviewer), 404, 'reviewer (cannot read hazards) assigns');
    assertStatus(await step(s, id, ASSIGN, police), 404, 'police assigns');
    assertStatus(await step(s, id, ASSIGN, otherTown), 404, 'another township assigns');
    // Required fields, and no unknown ones.
    let r = await step(s, id, { action: 'assign', deadline_days: 5 }, town);
    assertStatus(r, 422, 'assign without responsible unit');
    assert.ok('responsible_unit' in r.json.error.fields && 'measures' in r.json.error.fields, JSON.stringify(r.json));
    r = await step(s, id, Object.assign({ colour: 'red' }, ASSIGN), town);
    assertStatus(r, 422, 'assign with an unknown field');
    assert.ok('colour' in r.json.error.fields);

    // The notice of 2025-09-26 with 5 working days: 2025-10-10 (National Day
    // holidays 10-01..10-08, make-up workday 09-28).
    r = await step(s, id, Object.assign({ note: '下达整改通知', photos }, ASSIGN), town);
    assertStatus(r, 200, 'town assigns');
    assert.strictEqual(r.json.state, 'assigned');
    assert.strictEqual(r.json.deadline, '2025-10-10');
    assert.strictEqual(r.json.notice_date, '2025-09-26');
    assert.match(r.json.notice_no, /^九龙镇隐患整改〔2025〕第\d{3}号$/);
    assert.strictEqual(r.json.overdue, false);
    assertStatus(await step(s, id, ASSIGN, town), 409, 'assign twice');
    // Past its first state the hazard belongs to its transitions: the
    // generic PATCH is refused whatever it sets (t_harden_ref.js).
    r = await s.admin('PATCH', `/api/v1/hazards/${id}`, { body: { state: 'closed' } });
    assertStatus(r, 409, 'PATCH an assigned hazard');
    assert.strictEqual((await s.admin('GET', `/api/v1/hazards/${id}`)).json.state, 'assigned');

    // An extension asked fewer than 20 working days before the deadline is refused.
    r = await step(s, id, { action: 'request_extension', days: 10, reason: '材料未到' }, officer);
    assertStatus(r, 409, 'late extension');
    assertStatus(await step(s, id, { action: 'approve_extension' }, town), 409, 'approve without a request');

    assertStatus(await step(s, id, { action: 'start' }, reviewer), 404, 'reviewer starts');
    assertStatus(await step(s, id, { action: 'start', note: '已开始整改' }, officer), 200, 'unit officer starts');
    assertStatus(await step(s, id, { action: 'report_progress' }, officer), 422, 'progress without a note');
    r = await step(s, id, { action: 'report_progress', note: '已清理一半' }, officer);
    assertStatus(r, 200, 'progress');
    assert.strictEqual(r.json.state, 'rectifying');

    // Supervision and public listing: county only.
    assertStatus(await step(s, id, { action: 'supervise', level: 'county', letter: '督办函' }, town), 403, 'town supervises');
    // The level is one of the 督办级别 table's codes; any other is refused
    // and names the field, and nothing is written.
    const bad = assertError(await step(s, id, { action: 'supervise', level: '省里', letter: '督办函' }, county), 422, 'level', 'an unknown level');
    assert.match(bad.fields.level, /县级督办/, `the message lists the levels: ${bad.fields.level}`);
    assert.strictEqual((await s.admin('GET', `/api/v1/hazards/${id}`)).json.supervised, false, 'supervised after a refused step');
    r = await step(s, id, { action: 'supervise', level: 'county', letter: '县安办督办函〔2025〕1号' }, county);
    assertStatus(r, 200, 'county supervises');
    assert.strictEqual(r.json.supervised, true);
    assert.strictEqual(r.json.supervise_level_label, '县级督办', 'the level is read by its name');
    assert.strictEqual(r.json.supervised_on, '2025-09-26');
    assertStatus(await step(s, id, { action: 'delist' }, county), 409, 'delist before listing');
    r = await step(s, id, { action: 'list_publicly' }, county);
    assertStatus(r, 200, 'list publicly');
    assert.strictEqual(r.json.listed, true);
    assertStatus(await step(s, id, { action: 'list_publicly' }, county), 409, 'list twice');

    assertStatus(await step(s, id, { action: 'accept' }, town), 409, 'accept while rectifying');
    assertStatus(await step(s, id, { action: 'submit' }, officer), 200, 'submit');
    assertStatus(await step(s, id, { action: 'accept' }, officer), 403, 'unit officer accepts');
    assertStatus(await step(s, id, { action: 'accept' }, village), 403, 'village accepts');
    assertStatus(await step(s, id, { action: 'refuse' }, town), 422, 'refuse without a reason');
    r = await step(s, id, { action: 'refuse', reason: '灭火器未更换' }, town);
    assertStatus(r, 200, 'refuse');
    assert.strictEqual(r.json.state, 'rectifying');
    assertStatus(await step(s, id, { action: 'submit' }, officer), 200, 'submit again');
    r = await step(s, id, { action: 'accept', note: '现场验收合格' }, town);
    assertStatus(r, 200, 'accept');
    assert.strictEqual(r.json.state, 'closed');
    assert.strictEqual(r.json.closed_on, '2025-09-26');
    for (const action of ['start', 'submit', 'accept', 'refuse', 'report_progress', 'supervise', 'assign'])
        assertStatus(await step(s, id, Object.assign({}, ASSIGN, { action, note: 'x', reason: 'x', level: 'x', letter: 'x' }), county), 409, `${action} when closed`);
    r = await step(s, id, { action: 'delist' }, county);
    assertStatus(r, 200, 'delist after acceptance');
    assert.strictEqual(r.json.state, 'closed');
    assert.strictEqual(r.json.listed, false);

    // The history, oldest first; every step in the audit log.
    r = await s.admin('GET', `/api/v1/hazards/${id}/history`);
    assertStatus(r, 200, 'history');
    const actions = r.json.items.map((x) => x.action);
    assert.deepStrictEqual(actions, ['assign', 'start', 'report_progress', 'supervise', 'list_publicly', 'submit', 'refuse', 'submit', 'accept', 'delist']);
    assert.deepStrictEqual(r.json.items[0].photos, photos);
    assert.strictEqual(r.json.items[0].username, 'town');
    assert.strictEqual(r.json.items[0].from, 'reported');
    assert.strictEqual(r.json.items[8].to, 'closed');
    assertStatus(await s.api('GET', `/api/v1/hazards/${id}/history`, { token: officer }), 200, 'unit officer reads the history');
    assertStatus(await s.api('GET', `/api/v1/hazards/${id}/history`, { token: police }), 403, 'police reads the history');
    assertStatus(await s.api('GET', `/api/v1/hazards/${id}/history`, { token: otherTown }), 404, 'another township reads the history');
    const audited = Number(await sqlite(c.db, `SELECT count(*) FROM audit_log WHERE entity = 'hazards' AND entity_id = '${id}' AND action = 'transition'`));
    assert.strictEqual(audited, actions.length, 'one audit entry per step');
});

test('hazards: extension asked in time is approved (deadline moves by working days) or refused', { timeout: 60000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-09-26'] });
    const town = await token(c.db, 'town');
    const village = await token(c.db, 'village');
    const id = await newHazard(s, { title: '燃气软管老化' });
    let r = await step(s, id, Object.assign({}, ASSIGN, { deadline_days: 40 }), town);
    assertStatus(r, 200, 'assign 40 days');
    const deadline = r.json.deadline;
    assertStatus(await step(s, id, { action: 'request_extension', days: 0, reason: 'x' }, village), 422, 'zero days');
    r = await step(s, id, { action: 'request_extension', days: 5, reason: '需更换管道' }, village);
    assertStatus(r, 200, 'request extension');
    assert.strictEqual(r.json.extension_requested_days, 5);
    assertStatus(await step(s, id, { action: 'request_extension', days: 5, reason: 'again' }, village), 409, 'second pending request');
    assertStatus(await step(s, id, { action: 'approve_extension' }, village), 403, 'village approves');
    r = await step(s, id, { action: 'approve_extension', note: '同意' }, town);
    assertStatus(r, 200, 'approve');
    assert.ok(r.json.deadline > deadline, `${r.json.deadline} after ${deadline}`);
    assert.strictEqual(r.json.extension_requested_days, null);
    assertStatus(await step(s, id, { action: 'request_extension', days: 3, reason: '再延' }, village), 200, 'request again');
    r = await step(s, id, { action: 'refuse_extension', note: '不同意' }, town);
    assertStatus(r, 200, 'refuse extension');
    assert.strictEqual(r.json.extension_requested_days, null);

    // A major hazard needs its plan (五落实) before the notice.
    const major = await newHazard(s, { title: '危房', grade: 'major', domain: 'rural_housing' });
    r = await step(s, major, ASSIGN, town);
    assertStatus(r, 422, 'major without a plan');
    assert.ok('plan_target' in r.json.error.fields && 'plan_emergency' in r.json.error.fields, JSON.stringify(r.json.error.fields));
    const plan = { plan_target: '消除危房隐患', plan_measures: '加固', plan_funds: '5万元', plan_people: '镇村建办', plan_deadline: '2025-12-31', plan_emergency: '人员撤离' };
    r = await step(s, major, Object.assign({}, ASSIGN, plan), town);
    assertStatus(r, 200, 'major with a plan');
    assert.strictEqual(r.json.plan_funds, '5万元');
    assert.match(r.json.notice_no, /第\d{3}号$/);
});

test('hazards: overdue is derived at query time; the overdue filter equals a direct count', { timeout: 60000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    let s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-09-26'] });
    const town = await token(c.db, 'town');
    const ids = [];
    for (const days of [5, 10, 30, 60]) {
        const id = await newHazard(s, { title: `逾期测试${days}` });
        assertStatus(await step(s, id, Object.assign({}, ASSIGN, { deadline_days: days }), town), 200, `assign ${days}`);
        ids.push(id);
    }
    // One closed before its deadline is never overdue.
    for (const action of ['start', 'submit', 'accept']) assertStatus(await step(s, ids[1], { action }, town), 200, action);
    await s.stop();

    s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-10-20'] });
    const today = '2025-10-20';
    const direct = Number(
        await sqlite(c.db, `SELECT count(*) FROM hazards WHERE deleted_at IS NULL AND state NOT IN ('closed', 'awaiting_acceptance') AND deadline IS NOT NULL AND deadline < '${today}'`)
    );
    let r = await s.admin('GET', '/api/v1/hazards?overdue=true&page_size=500');
    assertStatus(r, 200, 'overdue list');
    assert.strictEqual(r.json.total, direct, 'overdue=true equals the direct count');
    assert.ok(r.json.items.every((h) => h.overdue === true));
    const mine = r.json.items.map((h) => h.id).filter((x) => ids.includes(x));
    assert.deepStrictEqual(mine, [ids[0]], 'only the 5-day notice (deadline 10-10) is overdue on 10-20');
    r = await s.admin('GET', `/api/v1/hazards/${ids[1]}`);
    assert.strictEqual(r.json.overdue, false, 'closed is not overdue');
    r = await s.admin('GET', '/api/v1/hazards?overdue=false&page_size=500');
    const all = Number(await sqlite(c.db, 'SELECT count(*) FROM hazards WHERE deleted_at IS NULL'));
    assert.strictEqual(r.json.total, all - direct, 'overdue=false is the rest');
    assertStatus(await s.admin('GET', '/api/v1/hazards?overdue=maybe'), 400, 'overdue=maybe');

    // The other list filters, alone and combined, each equal to a
    // direct count in the database (the demo has supervised, listed and
    // overdue hazards in every township).
    const live = 'deleted_at IS NULL';
    const [grade, state, unit] = (await sqlite(c.db, `SELECT grade, state, unit_id FROM hazards WHERE ${live} AND unit_id IS NOT NULL AND state <> 'closed' ORDER BY id LIMIT 1`)).trim().split('|');
    const open = `state NOT IN ('closed', 'awaiting_acceptance') AND deadline IS NOT NULL AND deadline < '${today}'`;
    const cases = [
        ['supervised=true', 'supervised = 1'],
        ['supervised=false', 'supervised = 0'],
        ['listed=true', 'listed = 1'],
        [`grade=${grade}&state=${state}`, `grade = '${grade}' AND state = '${state}'`],
        [`unit_id=${unit}`, `unit_id = ${unit}`],
        ['deadline_from=2025-10-01&deadline_to=2025-12-31', "deadline >= '2025-10-01' AND deadline <= '2025-12-31'"],
        ['region=511621101000&overdue=true', `region >= '511621101000' AND region < '511621102000' AND ${open}`],
        ['region=511621101000&supervised=true&overdue=true', `region >= '511621101000' AND region < '511621102000' AND supervised = 1 AND ${open}`],
    ];
    for (const [qs, where] of cases) {
        const want = Number(await sqlite(c.db, `SELECT count(*) FROM hazards WHERE ${live} AND ${where}`));
        r = await s.admin('GET', `/api/v1/hazards?${qs}&page_size=1`);
        assertStatus(r, 200, qs);
        assert.strictEqual(r.json.total, want, `${qs}: the list says ${r.json.total}, the database ${want}`);
    }
    const sup = Number(await sqlite(c.db, `SELECT count(*) FROM hazards WHERE ${live} AND supervised = 1`));
    assert.ok(sup > 0, 'the demo has no supervised hazard');
});

test('hazards: check names a hazard whose state disagrees with its history', { timeout: 60000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-09-26'] });
    const town = await token(c.db, 'town');
    const id = await newHazard(s, { title: '篡改测试' });
    assertStatus(await step(s, id, ASSIGN, town), 200, 'assign');
    await s.stop();
    let r = await cli(['check', '--db', c.db], { check: false });
    assert.strictEqual(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /every hazard's state agrees with its history/);
    await sqlite(c.db, `UPDATE hazards SET state = 'closed' WHERE id = ${id}`);
    r = await cli(['check', '--db', c.db], { check: false });
    assert.strictEqual(r.code, 1, r.stdout);
    assert.match(r.stdout, new RegExp(`FAIL hazard state: hazard ${id} is 'closed' but its history ends in 'assigned'`));
});

test('hazards: the township board counts in SQL; overdue bands sum to a direct count; the notice prints', { timeout: 60000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    let s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-09-26'] });
    const town = await token(c.db, 'town');
    const id = await newHazard(s, { title: '<script>alert(1)</script>疏散通道堵塞', address: '九龙镇"正街"&1号' });
    assertStatus(await step(s, id, ASSIGN, town), 200, 'assign');
    await s.stop();
    s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-12-20'] });
    const today = '2025-12-20';
    for (const region of [TOWN, '511621000000']) {
        const r = await s.api('GET', `/api/v1/hazards/board?region=${region}`, { token: town });
        if (region !== TOWN) {
            assertStatus(r, 404, 'town reads the county board');
            continue;
        }
        assertStatus(r, 200, 'board');
        const b = r.json;
        const where = `deleted_at IS NULL AND region >= '${TOWN.slice(0, 9)}' AND region < '${TOWN.slice(0, 8)}${String(Number(TOWN[8]) + 1)}'`;
        const direct = Number(await sqlite(c.db, `SELECT count(*) FROM hazards WHERE ${where} AND state NOT IN ('closed', 'awaiting_acceptance') AND deadline IS NOT NULL AND deadline < '${today}'`));
        assert.strictEqual(b.overdue.total, direct, 'board overdue = direct count');
        assert.strictEqual(b.overdue['1-5'] + b.overdue['6-20'] + b.overdue['>20'], direct, 'bands sum to the total');
        assert.ok(b.overdue.total >= 1, 'the 10-10 notice is overdue on 12-20');
        const all = Number(await sqlite(c.db, `SELECT count(*) FROM hazards WHERE ${where}`));
        assert.strictEqual(Object.values(b.by_state).reduce((x, y) => x + y, 0), all, 'states sum to all');
        const found = Number(await sqlite(c.db, `SELECT count(*) FROM hazards WHERE ${where} AND found_at >= '2025-01-01' AND found_at <= '${today}'`));
        assert.strictEqual(b.found, found);
        assert.ok(b.rectification_rate >= 0 && b.rectification_rate <= 1);
        assert.ok(b.on_time_rate >= 0 && b.on_time_rate <= 1);
        assert.ok(Array.isArray(b.top_units) && b.top_units.length <= 10);
    }
    // The 10-10 deadline is 49 working days before 12-20: in the >20 band.
    const r0 = await s.api('GET', `/api/v1/hazards/board?region=${TOWN}`, { token: town });
    assert.ok(r0.json.overdue['>20'] >= 1);

    let r = await s.api('GET', `/api/v1/hazards/${id}/notice.html`, { token: town });
    assertStatus(r, 200, 'notice.html');
    assert.match(r.headers['content-type'], /text\/html/);
    assert.ok(r.text.includes('安全隐患整改通知书'));
    assert.ok(r.text.includes('2025-10-10'), 'the deadline');
    assert.ok(!r.text.includes('<script>'), 'values are escaped');
    assert.ok(r.text.includes('&lt;script&gt;'));
    assert.ok(r.text.includes('&quot;正街&quot;&amp;1号'));
    assert.ok(r.text.includes('@media print'));
    const fresh = await newHazard(s, { title: '未下达' });
    assertStatus(await s.api('GET', `/api/v1/hazards/${fresh}/notice.html`, { token: town }), 409, 'no notice yet');
    const other = await s.createUser('hz-town3', 'township_admin', '511621102000');
    assertStatus(await s.api('GET', `/api/v1/hazards/${id}/notice.html`, { token: other }), 404, 'notice out of scope');
});

test('hazards: the ledger (隐患台账) exports with a township\'s columns and imports again', { timeout: 60000 }, async (ctx) => {
    const { xlsxText, multipart } = require('./lib');
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-09-26'] });
    const town = await token(c.db, 'town');
    const id = await newHazard(s, { title: '台账往返测试', address: '九龙镇正街8号', category: 'things' });
    assertStatus(await step(s, id, ASSIGN, town), 200, 'assign');
    const r = await s.admin('GET', '/api/v1/hazards/export.xlsx?q=台账往返测试');
    assertStatus(r, 200, 'export');
    const text = xlsxText(r.bytes);
    for (const col of ['隐患名称', '所在区域', '隐患类别', '隐患等级', '发现时间', '责任单位', '整改措施', '整改期限', '状态'])
        assert.ok(text.includes(col), `the ledger has the column ${col}`);
    assert.ok(text.includes('清理楼道杂物') && text.includes('九龙镇便民超市'), 'the measures and responsible unit are in the ledger');
    const m = multipart('file', 'ledger.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', r.bytes);
    const imp = await s.admin('POST', '/api/v1/hazards/import', { raw: m.body, headers: { 'Content-Type': m.contentType } });
    assertStatus(imp, 200, 'import the exported ledger');
    assert.strictEqual(imp.json.accepted, 1, JSON.stringify(imp.json));
    const l = await s.admin('GET', '/api/v1/hazards?q=台账往返测试&sort=id');
    assert.strictEqual(l.json.total, 2);
    const [a, b] = l.json.items;
    for (const k of ['title', 'address', 'domain', 'category', 'grade', 'found_at', 'region', 'responsible_unit', 'responsible_person', 'measures'])
        assert.deepStrictEqual(b[k], a[k], k);
    // The ledger carries what the transitions set; the import records it as the first step.
    for (const k of ['state', 'deadline', 'notice_no', 'notice_date'])
        assert.deepStrictEqual(b[k], a[k], k);
    assert.strictEqual(b.state, 'assigned');
    const h = await s.admin('GET', `/api/v1/hazards/${b.id}/history`);
    assert.deepStrictEqual(h.json.items.map((x) => [x.action, x.from, x.to, x.note]), [['import', 'reported', 'assigned', '台账导入']]);
});

test('hazards: GET /hazards/transitions declares the machine with Chinese labels', { timeout: 60000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const unit = await token(c.db, 'unit');
    const r = await s.api('GET', '/api/v1/hazards/transitions', { token: unit });
    assertStatus(r, 200, 'transitions for a unit officer');
    assert.deepStrictEqual(r.json.states.map((x) => x.code), ['reported', 'assigned', 'rectifying', 'awaiting_acceptance', 'closed']);
    assert.strictEqual(r.json.states.find((x) => x.code === 'closed').label, '已销号');
    const by = Object.fromEntries(r.json.items.map((t) => [t.action, t]));
    const labels = {
        assign: '下达整改通知', start: '开始整改', report_progress: '报告进展', request_extension: '申请延期',
        approve_extension: '批准延期', refuse_extension: '不予延期', submit: '提交验收', accept: '验收销号',
        refuse: '验收不通过', supervise: '督办', list_publicly: '挂牌督办', delist: '摘牌',
    };
    assert.deepStrictEqual(Object.keys(by).sort(), Object.keys(labels).sort(), 'every action, nothing else');
    for (const [a, l] of Object.entries(labels)) assert.strictEqual(by[a].label, l, a);
    assert.deepStrictEqual(by.assign, {
        action: 'assign', label: '下达整改通知', from: ['reported'], to: 'assigned', perm: 'hazard:assign',
        required: ['deadline_days', 'responsible_unit', 'responsible_person', 'measures'],
        optional: ['unit_id', 'plan_target', 'plan_measures', 'plan_funds', 'plan_people', 'plan_deadline', 'plan_emergency', 'note', 'photos'],
    });
    assert.strictEqual(by.report_progress.to, null, 'a step that keeps the state has to: null');
    assert.deepStrictEqual(by.report_progress.required, ['note']);
    assert.deepStrictEqual(by.delist.from, ['assigned', 'rectifying', 'awaiting_acceptance', 'closed']);
    assert.strictEqual(by.accept.perm, 'hazard:accept');
    assertStatus(await s.api('GET', '/api/v1/hazards/transitions', { token: '' }), 401, 'anonymous');
    // The derived overdue is in the metadata as a read-only boolean filter.
    const meta = (await s.api('GET', '/api/v1/meta/entities', { token: unit })).json.items.find((e) => e.name === 'hazards');
    const od = meta.fields.find((f) => f.name === 'overdue');
    assert.ok(od && od.type === 'bool' && od.filter === true && od.readonly === true, JSON.stringify(od));
    const police = await s.createUser('tr-police', 'police', VILLAGE);
    assertStatus(await s.api('GET', '/api/v1/hazards/transitions', { token: police }), 403, 'without hazard:read');
});

test('hazards: assign with unit_id hands the hazard to the unit; the unit must be one the caller may see', { timeout: 60000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-09-26'] });
    const town = await token(c.db, 'town');
    const officer = await token(c.db, 'unit'); // the demo unit officer
    const unitId = Number(await sqlite(c.db, "SELECT unit_id FROM users WHERE username = 'unit'"));
    assert.ok(unitId > 0, 'the demo unit officer belongs to a unit');
    const unitRow = await s.admin('GET', `/api/v1/units/${unitId}`);
    assertStatus(unitRow, 200, 'the demo unit');
    assert.strictEqual(unitRow.json.region, VILLAGE, 'the demo unit is in the village worker\'s village');
    const id = await newHazard(s, { title: '货架遮挡安全出口' });
    assertStatus(await s.api('GET', `/api/v1/hazards/${id}`, { token: officer }), 404, 'not yet the unit\'s hazard');

    // A unit outside the caller's scope (a sibling township), a missing one and a bad type: 422 on unit_id.
    const outside = await s.admin('POST', '/api/v1/units', { body: { region: SIBLING_VILLAGE, name: '邻镇加油站', type: 'gas_station' } });
    assertStatus(outside, 201, 'POST unit elsewhere');
    const base = { action: 'assign', deadline_days: 5, responsible_person: '李四', measures: '清理出口' };
    for (const [uid, what] of [[outside.json.id, 'outside'], [999999999, 'missing'], ['1', 'a string'], [0, 'zero']]) {
        const r = await step(s, id, Object.assign({ unit_id: uid }, base), town);
        assertStatus(r, 422, `unit_id ${what}`);
        assert.ok(r.json.error.fields.unit_id, `${what}: the message names unit_id: ${JSON.stringify(r.json)}`);
    }
    // Without unit_id the responsible unit is still required.
    let r = await step(s, id, base, town);
    assertStatus(r, 422, 'no unit, no responsible unit');
    assert.ok('responsible_unit' in r.json.error.fields);
    let h = await s.admin('GET', `/api/v1/hazards/${id}`);
    assert.strictEqual(h.json.state, 'reported', 'refusals changed nothing');
    assert.strictEqual(h.json.unit_id ?? null, null);

    // With the unit: unit_id set, responsible_unit defaults to its name.
    r = await step(s, id, Object.assign({ unit_id: unitId }, base), town);
    assertStatus(r, 200, 'assign to the unit');
    assert.strictEqual(r.json.unit_id, unitId);
    assert.strictEqual(r.json.responsible_unit, unitRow.json.name);
    assert.strictEqual(r.json.state, 'assigned');
    // Now the unit's officer sees it and can act on it.
    const l = await s.api('GET', '/api/v1/hazards?page_size=500', { token: officer });
    assert.ok(l.json.items.some((x) => x.id === id), 'the officer lists it');
    assertStatus(await step(s, id, { action: 'start' }, officer), 200, 'the officer starts');
    const hist = await s.api('GET', `/api/v1/hazards/${id}/history`, { token: officer });
    assertStatus(hist, 200, 'history');
    assert.strictEqual(hist.json.items[0].data.unit_id, unitId, 'the step records the unit');

    // An explicit responsible_unit wins over the unit's name.
    const id2 = await newHazard(s, { title: '灭火器过期' });
    r = await step(s, id2, Object.assign({ unit_id: unitId, responsible_unit: '惠民超市（分店）' }, base), town);
    assertStatus(r, 200, 'assign with both');
    assert.strictEqual(r.json.responsible_unit, '惠民超市（分店）');
    assert.strictEqual(r.json.unit_id, unitId);
});

test('hazards: 待验收 is not overdue (list, record, board); ids= lists and exports the picked rows; the metadata marks key columns and state colours', { timeout: 60000 }, async (ctx) => {
    const { xlsxText } = require('./lib');
    const c = await ctx.demoCopy();
    let s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-09-26'] });
    const town = await token(c.db, 'town');
    const working = await newHazard(s, { title: '逾期规则整改中' });
    const waiting = await newHazard(s, { title: '逾期规则待验收' });
    for (const id of [working, waiting]) {
        assertStatus(await step(s, id, ASSIGN, town), 200, 'assign');
        assertStatus(await step(s, id, { action: 'start' }, town), 200, 'start');
    }
    assertStatus(await step(s, waiting, { action: 'submit' }, town), 200, 'submit for acceptance');
    await s.stop();

    s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-10-20'] });
    let r = await s.admin('GET', '/api/v1/hazards?overdue=true&q=逾期规则&page_size=50');
    assertStatus(r, 200, 'overdue list');
    assert.deepStrictEqual(r.json.items.map((h) => h.id), [working], 'the one still in rectification is overdue, the one waiting for acceptance is not');
    r = await s.admin('GET', `/api/v1/hazards/${waiting}`);
    assert.strictEqual(r.json.state, 'awaiting_acceptance');
    assert.strictEqual(r.json.overdue, false, 'a hazard waiting for acceptance is not overdue');
    r = await s.admin('GET', '/api/v1/hazards?overdue=false&q=逾期规则&page_size=50');
    assert.deepStrictEqual(r.json.items.map((h) => h.id), [waiting], 'overdue=false lists it');
    const where = `deleted_at IS NULL AND region >= '511621101' AND region < '511621102'`;
    const direct = Number(await sqlite(c.db, `SELECT count(*) FROM hazards WHERE ${where} AND state NOT IN ('closed', 'awaiting_acceptance') AND deadline < '2025-10-20'`));
    const board = await s.api('GET', `/api/v1/hazards/board?region=${TOWN}`, { token: town });
    assertStatus(board, 200, 'board');
    assert.strictEqual(board.json.overdue.total, direct, 'the board counts overdue by the list\'s rule');
    r = await s.admin('GET', `/api/v1/hazards?overdue=true&region=${TOWN}&page_size=1`);
    assert.strictEqual(r.json.total, direct, 'the board\'s overdue figure equals the overdue list');

    // The notice dialog's deadline: from the server's today when no date is
    // given, and whether the years it crosses have their calendar.
    r = await s.api('GET', '/api/v1/calendar/add?days=5', { token: town });
    assertStatus(r, 200, 'calendar/add without a date');
    assert.strictEqual(r.json.from, '2025-10-20');
    assert.strictEqual(r.json.date, (await s.api('GET', '/api/v1/calendar/add?date=2025-10-20&days=5', { token: town })).json.date);
    const has2025 = Number(await sqlite(c.db, 'SELECT count(*) FROM calendar_years WHERE year = 2025')) > 0;
    assert.strictEqual(r.json.entered, has2025, 'entered says whether 2025 has its calendar');
    r = await s.api('GET', '/api/v1/calendar/add?days=800', { token: town });
    assert.strictEqual(r.json.entered, false, 'no calendar is entered for the years ahead');

    // ids=: exactly the rows picked, within the caller's scope and filters.
    r = await s.admin('GET', `/api/v1/hazards?ids=${waiting},${working}&sort=id`);
    assertStatus(r, 200, 'ids list');
    assert.deepStrictEqual(r.json.items.map((h) => h.id), [working, waiting].sort((a, b) => a - b));
    assert.strictEqual(r.json.total, 2);
    r = await s.admin('GET', `/api/v1/hazards?ids=${waiting},${working}&overdue=true`);
    assert.deepStrictEqual(r.json.items.map((h) => h.id), [working], 'ids combine with the other filters');
    r = await s.admin('GET', '/api/v1/hazards?ids=999999999');
    assert.strictEqual(r.json.total, 0, 'an id that does not exist lists nothing');
    const other = await s.createUser('hz-ids-town2', 'township_admin', '511621102000');
    r = await s.api('GET', `/api/v1/hazards?ids=${working}`, { token: other });
    assertStatus(r, 200, 'ids of another township');
    assert.strictEqual(r.json.total, 0, 'ids never reach past the caller\'s scope');
    for (const bad of ['abc', '1,,2', '0', '-3', '1;2']) {
        r = await s.admin('GET', `/api/v1/hazards?ids=${encodeURIComponent(bad)}`);
        assertStatus(r, 400, `ids=${bad}`);
        assert.ok(r.json.error.fields && r.json.error.fields.ids, `ids=${bad}: the answer names the field`);
    }
    const many = Array.from({ length: 500 }, (_, i) => i + 1).join(',');
    assertStatus(await s.admin('GET', `/api/v1/hazards?ids=${many}`), 200, '500 ids');
    r = await s.admin('GET', `/api/v1/hazards?ids=${many},501`);
    assertStatus(r, 400, '501 ids');
    assert.match(r.json.error.fields.ids, /500/, 'the answer names the limit');
    r = await s.admin('GET', `/api/v1/hazards/export.xlsx?ids=${working}`);
    assertStatus(r, 200, 'export of the picked rows');
    const text = xlsxText(r.bytes);
    assert.ok(text.includes('逾期规则整改中') && !text.includes('逾期规则待验收'), 'the export holds the picked row only');

    // The metadata: required fields, key columns (list order) and state colours, declared once.
    r = await s.admin('GET', '/api/v1/meta/entities');
    const hz = r.json.items.find((e) => e.name === 'hazards');
    const f = (n) => hz.fields.find((x) => x.name === n);
    assert.strictEqual(f('title').required, true);
    assert.strictEqual(f('address').required, false);
    assert.deepStrictEqual(hz.fields.filter((x) => x.key_column).map((x) => x.name), ['title', 'deadline', 'state']);
    assert.deepStrictEqual(Object.keys(hz.state_tags).sort(), ['assigned', 'awaiting_acceptance', 'closed', 'rectifying', 'reported']);
    assert.strictEqual(hz.state_tags.closed, 'success');
    assert.strictEqual(r.json.items.find((e) => e.name === 'units').state_tags, undefined, 'no machine, no colours');
});
