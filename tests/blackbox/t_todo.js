'use strict';
// The to-do list (issue 17): GET /api/v1/todo. For each demo role the groups
// are the ones its permissions give, and each group's count and first items
// are exactly what the list it links to answers for the same user (its
// region subtree, a unit officer's unit); a user of another township does
// not see a record outside their subtree; a record moved on by its step
// leaves its group and enters the next one. Runs on both backends.

const { test, assert, assertStatus, cli } = require('./lib');

const TOWN = '511621101000'; // 九龙镇, the demo user town's
const VILLAGE = '511621101001'; // the demo user village's
const OTHER_TOWN = '511621102000';
const TODAY = '2026-01-15';

async function token(db, username) {
    const r = await cli(['token', 'create', '--db', db, '--username', username]);
    return r.stdout.trim();
}

// The demo unit officer's unit (九龙镇惠民超市).
async function demoUnit(s) {
    const r = await s.admin('GET', `/api/v1/units?q=${encodeURIComponent('惠民超市')}&region=${VILLAGE}`);
    assertStatus(r, 200, 'GET the demo unit');
    const u = r.json.items.find((x) => x.name === '九龙镇惠民超市');
    assert.ok(u, 'no demo unit 九龙镇惠民超市');
    return u.id;
}

async function todo(s, tok, what) {
    const r = await s.api('GET', '/api/v1/todo', { token: tok });
    assertStatus(r, 200, `${what}: GET /todo`);
    assert.ok(Array.isArray(r.json.groups), `${what}: no groups`);
    return r.json;
}

const group = (t, key) => t.groups.find((g) => g.key === key);

// Every group is its linked list: the same total and the same first items,
// in order, for the same user; the total is the sum of the counts.
async function checkAgainstLists(s, tok, t, what) {
    let sum = 0;
    for (const g of t.groups) {
        assert.ok(g.label && /[\u4e00-\u9fff]/.test(g.label), `${what}: group ${g.key} has no Chinese label`);
        assert.ok(g.link && g.link.entity && typeof g.link.query === 'string', `${what}: group ${g.key} has no link`);
        const l = await s.api('GET', `/api/v1/${g.link.entity}?${g.link.query}&page_size=5`, { token: tok });
        assertStatus(l, 200, `${what}: the list of ${g.key} (${g.link.entity}?${g.link.query})`);
        assert.strictEqual(g.count, l.json.total, `${what}: ${g.key} counts ${g.count}, its list ${l.json.total}`);
        assert.deepStrictEqual(
            g.items.map((i) => i.id),
            l.json.items.map((i) => i.id),
            `${what}: ${g.key}'s items are not its list's first five`,
        );
        for (const i of g.items) {
            assert.ok(typeof i.title === 'string' && i.title.length > 0, `${what}: ${g.key} item ${i.id} has no title`);
            if (i.due) assert.strictEqual(i.overdue, i.due < TODAY, `${what}: ${g.key} item ${i.id} due ${i.due} overdue ${i.overdue}`);
        }
        sum += g.count;
    }
    assert.strictEqual(t.total, sum, `${what}: total ${t.total}, the counts add up to ${sum}`);
}

const keys = (t) => t.groups.map((g) => g.key);

test('todo: each demo role gets the groups of its permissions, each one the total and first rows of its linked list', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', TODAY] });
    const roles = {};
    for (const u of ['county', 'town', 'village', 'unit', 'reviewer']) roles[u] = await token(c.db, u);
    roles.admin = c.token;
    const got = {};
    for (const [u, tok] of Object.entries(roles)) {
        got[u] = await todo(s, tok, u);
        await checkAgainstLists(s, tok, got[u], u);
        assert.ok(got[u].groups.some((g) => g.count > 0 && g.items.length > 0), `${u} has nothing to do in the demo: ${JSON.stringify(keys(got[u]))}`);
    }
    // The offices that assign and accept see those; those who rectify see
    // what they must start and carry on.
    for (const u of ['county', 'town']) {
        for (const k of ['hazards_to_assign', 'hazards_to_accept', 'hazards_late']) assert.ok(group(got[u], k), `${u} lacks ${k}`);
        for (const k of ['hazards_to_start', 'hazards_rectifying']) assert.ok(!group(got[u], k), `${u} is given ${k}`);
    }
    for (const u of ['village', 'unit']) {
        for (const k of ['hazards_to_start', 'hazards_rectifying', 'hazards_late']) assert.ok(group(got[u], k), `${u} lacks ${k}`);
        for (const k of ['hazards_to_assign', 'hazards_to_accept', 'campaign_steps_late', 'evaluations_to_score'])
            assert.ok(!group(got[u], k), `${u} is given ${k}`);
    }
    assert.ok(group(got.village, 'care_visits_due'), 'the village worker lacks the visits due');
    assert.ok(!group(got.unit, 'care_visits_due'), 'the unit officer is given the visits due');
    assert.deepStrictEqual(keys(got.reviewer), ['evaluations_to_score'], 'the reviewer\'s groups');
    assert.ok(group(got.reviewer, 'evaluations_to_score').count >= 1, 'the reviewer has no evaluation to score');
    assert.ok(group(got.county, 'campaign_steps_late'), 'the county lacks the late campaign steps');
    // The unit officer's hazards are its unit's only; the demo gives it one to start.
    const unitId = await demoUnit(s);
    const start = group(got.unit, 'hazards_to_start');
    assert.ok(start.count >= 1, 'the demo unit officer has no hazard to start');
    for (const g of got.unit.groups)
        for (const i of g.items) {
            const h = await s.api('GET', `/api/v1/hazards/${i.id}`, { token: c.token });
            assert.strictEqual(h.json.unit_id, unitId, `the unit officer's ${g.key} lists hazard ${i.id} of unit ${h.json.unit_id}`);
        }
    // The groups mean their states: 待验收 is not counted as 逾期.
    const check = async (u, key, pred, what) => {
        for (const i of group(got[u], key).items) {
            const h = await s.api('GET', `/api/v1/hazards/${i.id}`, { token: c.token });
            assert.ok(pred(h.json), `${u} ${key}: hazard ${i.id} is ${h.json.state}, deadline ${h.json.deadline} (${what})`);
        }
    };
    await check('town', 'hazards_to_assign', (h) => h.state === 'reported', 'reported');
    await check('town', 'hazards_to_accept', (h) => h.state === 'awaiting_acceptance', 'awaiting acceptance');
    await check('county', 'hazards_late', (h) => ['assigned', 'rectifying'].includes(h.state) && h.deadline < TODAY, 'late, with the unit');
    const late = await s.api('GET', '/api/v1/hazards?overdue=true&state=awaiting_acceptance', { token: c.token });
    assertStatus(late, 200, 'overdue=true&state=awaiting_acceptance');
    assert.strictEqual(late.json.total, 0, 'a hazard awaiting acceptance is counted overdue');
    const accept = await s.api('GET', '/api/v1/hazards?state=awaiting_acceptance&page_size=100', { token: c.token });
    assert.ok(accept.json.items.some((h) => h.deadline && h.deadline < TODAY), 'the demo has no hazard awaiting acceptance past its deadline: the check above proves nothing');
});

test('todo: a report enters its township\'s 待下达整改通知 only; each step moves it to the next group', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', TODAY] });
    const town = await token(c.db, 'town');
    const village = await token(c.db, 'village');
    const unit = await token(c.db, 'unit');
    const town2 = await s.createUser('todo-town2', 'township_admin', OTHER_TOWN);
    const before = {
        town: await todo(s, town, 'town'),
        town2: await todo(s, town2, 'town2'),
        unit: await todo(s, unit, 'unit'),
    };
    // The village worker reports a hazard in its village.
    const r = await s.api('POST', '/api/v1/hazards', {
        token: village,
        body: { region: VILLAGE, title: '待办测试楼道堆物', domain: 'fire', grade: 'general', found_at: '2026-01-14' },
    });
    assertStatus(r, 201, 'village POST hazard');
    const id = r.json.id;
    const has = (t, key) => !!group(t, key) && group(t, key).items.some((i) => i.id === id);
    let t = await todo(s, town, 'town after the report');
    assert.strictEqual(group(t, 'hazards_to_assign').count, group(before.town, 'hazards_to_assign').count + 1, 'town\'s 待下达整改通知 did not grow by one');
    assert.ok(has(t, 'hazards_to_assign'), 'town\'s 待下达整改通知 does not list the new report first');
    await checkAgainstLists(s, town, t, 'town after the report');
    // Another township's office sees neither the record nor a count of it.
    let t2 = await todo(s, town2, 'town2 after the report');
    assert.strictEqual(group(t2, 'hazards_to_assign').count, group(before.town2, 'hazards_to_assign').count, 'another township\'s count moved');
    assert.ok(!has(t2, 'hazards_to_assign'), 'another township lists the report');
    assert.strictEqual((await s.api('GET', `/api/v1/hazards/${id}`, { token: town2 })).status, 404, 'another township reads the report');
    await checkAgainstLists(s, town2, t2, 'town2');

    // town assigns it to the demo unit: it leaves 待下达, the unit must start it.
    const unitId = await demoUnit(s);
    const step = (tok, body) => s.api('POST', `/api/v1/hazards/${id}/transitions`, { token: tok, body });
    assertStatus(
        await step(town, { action: 'assign', deadline_days: 5, unit_id: unitId, responsible_unit: '九龙镇惠民超市', responsible_person: '王店长', measures: '清理楼道' }),
        200,
        'town assigns',
    );
    t = await todo(s, town, 'town after the notice');
    assert.ok(!has(t, 'hazards_to_assign'), 'the assigned hazard stays in 待下达整改通知');
    assert.strictEqual(group(t, 'hazards_to_assign').count, group(before.town, 'hazards_to_assign').count, 'town\'s 待下达整改通知 did not shrink back');
    let u = await todo(s, unit, 'unit after the notice');
    assert.strictEqual(group(u, 'hazards_to_start').count, group(before.unit, 'hazards_to_start').count + 1, 'the unit\'s 待开始整改 did not grow by one');
    assert.ok(has(u, 'hazards_to_start'), 'the unit\'s 待开始整改 does not list it');
    await checkAgainstLists(s, unit, u, 'unit after the notice');

    // The unit starts: 整改中; submits: town must accept; accepted: gone.
    assertStatus(await step(unit, { action: 'start' }), 200, 'unit starts');
    u = await todo(s, unit, 'unit after the start');
    assert.ok(!has(u, 'hazards_to_start') && has(u, 'hazards_rectifying'), 'the started hazard is not in 整改中 alone');
    assertStatus(await step(unit, { action: 'submit' }), 200, 'unit submits');
    u = await todo(s, unit, 'unit after the submission');
    assert.ok(!u.groups.some((g) => g.items.some((i) => i.id === id)), 'the submitted hazard is still the unit\'s to-do');
    t = await todo(s, town, 'town after the submission');
    assert.strictEqual(group(t, 'hazards_to_accept').count, group(before.town, 'hazards_to_accept').count + 1, 'town\'s 待验收 did not grow by one');
    await checkAgainstLists(s, town, t, 'town after the submission');
    t2 = await todo(s, town2, 'town2 after the submission');
    assert.strictEqual(group(t2, 'hazards_to_accept').count, group(before.town2, 'hazards_to_accept').count, 'another township\'s 待验收 moved');
    assertStatus(await step(town, { action: 'accept' }), 200, 'town accepts');
    t = await todo(s, town, 'town after the acceptance');
    assert.strictEqual(group(t, 'hazards_to_accept').count, group(before.town, 'hazards_to_accept').count, 'the accepted hazard stays in 待验收');
    assert.ok(!t.groups.some((g) => g.items.some((i) => i.id === id)), 'the closed hazard is still town\'s to-do');
});

test('todo: a reviewer\'s evaluation leaves 待评分 once scored; a care visit moves its household out of the week', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', TODAY] });
    const reviewer = await token(c.db, 'reviewer');
    let t = await todo(s, reviewer, 'reviewer');
    const g = group(t, 'evaluations_to_score');
    const ev = g.items[0];
    assert.ok(ev, 'the reviewer has no evaluation to score');
    const items = await s.api('GET', `/api/v1/evaluations/${ev.id}/items`, { token: reviewer });
    assertStatus(items, 200, 'GET evaluation items');
    const leaf = items.json.items[0];
    const part = items.json.checklist.parts[0].key;
    const grade = items.json.checklist.grades[0].code;
    assertStatus(await s.api('PUT', `/api/v1/evaluations/${ev.id}/scores/${leaf.id}`, { token: reviewer, body: { grades: { [part]: grade } } }), 200, 'the reviewer scores one item');
    t = await todo(s, reviewer, 'reviewer after scoring');
    assert.strictEqual(group(t, 'evaluations_to_score').count, g.count - 1, '待评分 did not shrink');
    assert.ok(!group(t, 'evaluations_to_score').items.some((i) => i.id === ev.id), 'the scored evaluation is still listed');

    const village = await token(c.db, 'village');
    let v = await todo(s, village, 'village');
    const due = group(v, 'care_visits_due');
    const h = due.items[0];
    assert.ok(h && h.due <= '2026-01-22', `the village worker has no visit due: ${JSON.stringify(due)}`);
    const hh = await s.api('GET', `/api/v1/care_households/${h.id}`, { token: village });
    const visit = await s.api('POST', '/api/v1/care_visits', {
        token: village,
        body: { region: hh.json.region, household_id: h.id, visited_on: TODAY, visitors: '村网格员', help_given: 'none' },
    });
    assertStatus(visit, 201, 'village records a visit');
    v = await todo(s, village, 'village after the visit');
    const after = await s.api('GET', `/api/v1/care_households/${h.id}`, { token: village });
    if (after.json.next_visit_on > '2026-01-22') {
        assert.strictEqual(group(v, 'care_visits_due').count, due.count - 1, 'the visited household is still due');
        assert.ok(!group(v, 'care_visits_due').items.some((i) => i.id === h.id), 'the visited household is still listed');
    } else {
        assert.strictEqual(group(v, 'care_visits_due').count, due.count, 'the count moved though the next visit is within the week');
    }
    await checkAgainstLists(s, village, v, 'village after the visit');
});
