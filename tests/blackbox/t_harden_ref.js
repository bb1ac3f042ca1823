'use strict';
// Hardening (issue 12), findings 4 and 5, checked on the generic layer:
// - references stay in scope: a reference field (unit_id, inspection_id)
//   naming a record of another township, a soft-deleted one or a missing one
//   is refused alike, 422 naming the field, on POST, PATCH, import and the
//   hazard's assign step, never 409;
// - state machines own their records: once a hazard has left 已登记 the
//   generic PATCH and DELETE answer 409 for everyone, the record and the
//   statistics stay as they were, and a 已登记 hazard is still editable.
const { test, assert, assertStatus, cli, multipart } = require('./lib');

const TOWN = '511621101000'; // 九龙镇: the demo's township user "town"
const VILLAGE = '511621101001'; // the demo's village user "village"
const NEIGHBOUR_VILLAGE = '511621101002'; // same township, outside the village worker's scope
const OTHER_TOWN_VILLAGE = '511621102001'; // another township

async function token(db, username) {
    const r = await cli(['token', 'create', '--db', db, '--username', username]);
    return r.stdout.trim();
}

const HAZARD = { region: VILLAGE, title: '加固测试隐患', domain: 'fire', grade: 'general', found_at: '2024-05-01' };

async function made(s, entity, body) {
    const r = await s.admin('POST', `/api/v1/${entity}`, { body });
    assertStatus(r, 201, `admin POST ${entity}`);
    return r.json.id;
}

// The error envelope without the message's wording of the first field, so
// that two refusals can be compared whole.
function errorOf(r) {
    return r.json && r.json.error;
}

function importAs(s, tok, entity, csv) {
    const m = multipart('file', 'refs.csv', 'text/csv', Buffer.from(csv, 'utf8'));
    return s.api('POST', `/api/v1/${entity}/import`, { token: tok, raw: m.body, headers: { 'Content-Type': m.contentType } });
}

test('harden: a reference outside the caller\'s scope answers like a missing one: 422 naming the field (POST, PATCH, import, assign)', { timeout: 90000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-09-26'] });
    const town = await token(c.db, 'town');
    const village = await token(c.db, 'village');

    const ownUnit = await made(s, 'units', { region: VILLAGE, name: '本村加油站', type: 'gas_station' });
    const neighbourUnit = await made(s, 'units', { region: NEIGHBOUR_VILLAGE, name: '邻村超市', type: 'shop' });
    const foreignUnit = await made(s, 'units', { region: OTHER_TOWN_VILLAGE, name: '邻镇加油站', type: 'gas_station' });
    const goneUnit = await made(s, 'units', { region: VILLAGE, name: '已注销单位', type: 'shop' });
    assertStatus(await s.admin('DELETE', `/api/v1/units/${goneUnit}`), 204, 'admin deletes a unit');
    const ownInsp = await made(s, 'inspections', { region: VILLAGE, held_on: '2025-09-01', kind: 'routine' });
    const foreignInsp = await made(s, 'inspections', { region: OTHER_TOWN_VILLAGE, held_on: '2025-09-01', kind: 'routine' });
    const MISSING = 999999999;

    // POST /hazards by the township: another township's unit is answered
    // exactly as a unit that does not exist, and so is a deleted one.
    const post = (tok, extra) => s.api('POST', '/api/v1/hazards', { token: tok, body: Object.assign({}, HAZARD, extra) });
    const missingUnit = await post(town, { unit_id: MISSING });
    assertStatus(missingUnit, 422, 'POST hazard with a missing unit (never 409)');
    assert.deepStrictEqual(missingUnit.json.error.fields, { unit_id: '单位不存在' }, JSON.stringify(missingUnit.json));
    assert.strictEqual(missingUnit.json.error.message, '数据校验失败：单位编号 单位不存在', 'the message names the field by its label, not its key');
    for (const [uid, what] of [[foreignUnit, 'another township\'s unit'], [goneUnit, 'a deleted unit']]) {
        const r = await post(town, { unit_id: uid });
        assertStatus(r, 422, `POST hazard with ${what}`);
        assert.deepStrictEqual(errorOf(r), errorOf(missingUnit), `${what} answers like a missing unit`);
    }
    const missingInsp = await post(town, { inspection_id: MISSING });
    assertStatus(missingInsp, 422, 'POST hazard with a missing inspection (never 409)');
    assert.deepStrictEqual(missingInsp.json.error.fields, { inspection_id: '排查记录不存在' }, JSON.stringify(missingInsp.json));
    const foreignI = await post(town, { inspection_id: foreignInsp });
    assertStatus(foreignI, 422, 'POST hazard with another township\'s inspection');
    assert.deepStrictEqual(errorOf(foreignI), errorOf(missingInsp), 'a foreign inspection answers like a missing one');

    // The village worker's scope is its village: a unit of the next village
    // of the same township is outside it.
    const nb = await post(village, { unit_id: neighbourUnit });
    assertStatus(nb, 422, 'village worker POST with the neighbour village\'s unit');
    assert.deepStrictEqual(nb.json.error.fields, { unit_id: '单位不存在' });
    // In scope, both references are accepted.
    const ok = await post(village, { unit_id: ownUnit, inspection_id: ownInsp });
    assertStatus(ok, 201, 'POST hazard with its own village\'s unit and inspection');
    assert.strictEqual(ok.json.unit_id, ownUnit);
    assert.strictEqual(ok.json.inspection_id, ownInsp);
    const id = ok.json.id;

    // PATCH: the same check, the row untouched on refusal.
    for (const [body, field, what] of [
        [{ unit_id: foreignUnit }, 'unit_id', 'another township\'s unit'],
        [{ unit_id: MISSING }, 'unit_id', 'a missing unit'],
        [{ inspection_id: foreignInsp }, 'inspection_id', 'another township\'s inspection'],
    ]) {
        const r = await s.api('PATCH', `/api/v1/hazards/${id}`, { token: town, body });
        assertStatus(r, 422, `PATCH hazard with ${what}`);
        assert.deepStrictEqual(Object.keys(r.json.error.fields), [field], JSON.stringify(r.json));
    }
    const g = await s.admin('GET', `/api/v1/hazards/${id}`);
    assert.strictEqual(g.json.unit_id, ownUnit, 'refused PATCHes changed nothing');
    assert.strictEqual(g.json.inspection_id, ownInsp);
    // An unchanged reference is not checked again (the township's own edit
    // of a hazard whose unit the village worker could not name).
    assertStatus(await s.admin('PATCH', `/api/v1/hazards/${id}`, { body: { unit_id: neighbourUnit } }), 200, 'admin moves the unit');
    assertStatus(await s.api('PATCH', `/api/v1/hazards/${id}`, { token: village, body: { description: '补充描述' } }), 200, 'village worker edits another field');

    // unit_contacts: the unit is a reference too.
    const contact = (tok, uid) => s.api('POST', '/api/v1/unit_contacts', { token: tok, body: { region: VILLAGE, unit_id: uid, name: '王五' } });
    const cMissing = await contact(town, MISSING);
    assertStatus(cMissing, 422, 'unit_contacts with a missing unit (was 409)');
    assert.deepStrictEqual(cMissing.json.error.fields, { unit_id: '单位不存在' });
    const cForeign = await contact(town, foreignUnit);
    assertStatus(cForeign, 422, 'unit_contacts with another township\'s unit');
    assert.deepStrictEqual(errorOf(cForeign), errorOf(cMissing), 'answered like a missing unit');
    assertStatus(await contact(town, ownUnit), 201, 'unit_contacts with its own unit');

    // Import runs as its user: the out-of-scope row is a per-row error, and
    // all-or-nothing stores nothing.
    const before = (await s.admin('GET', '/api/v1/unit_contacts?q=' + encodeURIComponent('导入联系人'))).json.total;
    const csv = `region,unit_id,name\n${VILLAGE},${ownUnit},导入联系人甲\n${VILLAGE},${foreignUnit},导入联系人乙\n${VILLAGE},${MISSING},导入联系人丙\n`;
    const imp = await importAs(s, town, 'unit_contacts', csv);
    assertStatus(imp, 422, 'import with out-of-scope references');
    const rows = imp.json.rows || [];
    const row3 = rows.find((x) => x.row === 3), row4 = rows.find((x) => x.row === 4);
    assert.ok(row3 && row3.fields.unit_id === '单位不存在', `row 3 names unit_id: ${JSON.stringify(imp.json)}`);
    assert.ok(row4 && row4.fields.unit_id === '单位不存在', `row 4 names unit_id: ${JSON.stringify(imp.json)}`);
    assert.ok(!rows.some((x) => x.row === 2), 'the in-scope row has no error');
    const after = (await s.admin('GET', '/api/v1/unit_contacts?q=' + encodeURIComponent('导入联系人'))).json.total;
    assert.strictEqual(after, before, 'nothing was stored');

    // The assign step uses the same check and the same answer.
    const fresh = await made(s, 'hazards', Object.assign({}, HAZARD, { title: '指派测试' }));
    const base = { action: 'assign', deadline_days: 5, responsible_person: '李四', measures: '整改' };
    const aMissing = await s.api('POST', `/api/v1/hazards/${fresh}/transitions`, { token: town, body: Object.assign({ unit_id: MISSING }, base) });
    const aForeign = await s.api('POST', `/api/v1/hazards/${fresh}/transitions`, { token: town, body: Object.assign({ unit_id: foreignUnit }, base) });
    assertStatus(aMissing, 422, 'assign with a missing unit');
    assertStatus(aForeign, 422, 'assign with another township\'s unit');
    assert.strictEqual(aMissing.json.error.fields.unit_id, '单位不存在', JSON.stringify(aMissing.json));
    assert.deepStrictEqual(errorOf(aForeign), errorOf(aMissing), 'assign: foreign answered like missing');

    // The metadata carries the reference, for the console.
    const meta = (await s.admin('GET', '/api/v1/meta/entities')).json.items;
    const fieldOf = (e, f) => meta.find((x) => x.name === e).fields.find((x) => x.name === f);
    assert.strictEqual(fieldOf('hazards', 'unit_id').ref, 'units');
    assert.strictEqual(fieldOf('hazards', 'inspection_id').ref, 'inspections');
    assert.strictEqual(fieldOf('unit_contacts', 'unit_id').ref, 'units');
});

test('harden: a hazard past 已登记 changes only through its transitions; closed ones cannot be PATCHed or deleted, and 2024\'s figures stay', { timeout: 90000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2024-11-15'] });
    const town = await token(c.db, 'town');
    const village = await token(c.db, 'village');
    const county = await token(c.db, 'county');
    const step = (id, body, tok) => s.api('POST', `/api/v1/hazards/${id}/transitions`, { token: tok, body });

    const id = await made(s, 'hazards', Object.assign({}, HAZARD, { title: '已销号的隐患' }));
    assertStatus(await step(id, { action: 'assign', deadline_days: 10, responsible_unit: '本村', responsible_person: '张三', measures: '清理' }, town), 200, 'assign');
    const assignedId = await made(s, 'hazards', Object.assign({}, HAZARD, { title: '已下达的隐患' }));
    assertStatus(await step(assignedId, { action: 'assign', deadline_days: 10, responsible_unit: '本村', responsible_person: '张三', measures: '清理' }, town), 200, 'assign the second');
    assertStatus(await step(id, { action: 'start' }, village), 200, 'start');
    assertStatus(await step(id, { action: 'submit' }, village), 200, 'submit');
    assertStatus(await step(id, { action: 'accept' }, town), 200, 'accept');
    const closed = (await s.admin('GET', `/api/v1/hazards/${id}`)).json;
    assert.strictEqual(closed.state, 'closed');
    const history = (await s.admin('GET', `/api/v1/hazards/${id}/history`)).json.items.length;
    const stats = async () => (await s.admin('GET', `/api/v1/stats?region=${TOWN}&year=2024`)).json.hazards;
    const statsBefore = await stats();

    for (const [tok, who] of [[village, 'village worker'], [county, 'county admin'], [s.token, 'system admin']]) {
        const p = await s.api('PATCH', `/api/v1/hazards/${id}`, { token: tok, body: { title: '改写', description: '改写', grade: 'major' } });
        assertStatus(p, 409, `${who} PATCHes a closed hazard`);
        assert.match(p.json.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
        assert.match(p.json.error.message, /已销号/, `the message names the state: ${p.json.error.message}`);
        const d = await s.api('DELETE', `/api/v1/hazards/${id}`, { token: tok });
        assertStatus(d, 409, `${who} DELETEs a closed hazard`);
    }
    // Past its first state but not closed: the same.
    assertStatus(await s.api('PATCH', `/api/v1/hazards/${assignedId}`, { token: town, body: { measures: '改写' } }), 409, 'PATCH an assigned hazard');
    assertStatus(await s.api('DELETE', `/api/v1/hazards/${assignedId}`, { token: town }), 409, 'DELETE an assigned hazard');

    const now = (await s.admin('GET', `/api/v1/hazards/${id}`)).json;
    assert.deepStrictEqual(now, closed, 'the closed hazard is unchanged');
    assert.strictEqual((await s.admin('GET', `/api/v1/hazards/${id}/history`)).json.items.length, history, 'no history step');
    assert.deepStrictEqual(await stats(), statsBefore, '2024\'s figures are unchanged');

    // A hazard in its first state is still a plain record.
    const reported = await made(s, 'hazards', Object.assign({}, HAZARD, { title: '刚登记的隐患' }));
    const p = await s.api('PATCH', `/api/v1/hazards/${reported}`, { token: village, body: { description: '补充' } });
    assertStatus(p, 200, 'PATCH a reported hazard');
    assert.strictEqual(p.json.description, '补充');
    assertStatus(await s.api('DELETE', `/api/v1/hazards/${reported}`, { token: village }), 204, 'DELETE a reported hazard');

    // The metadata tells the console which records are locked.
    const meta = (await s.admin('GET', '/api/v1/meta/entities')).json.items.find((x) => x.name === 'hazards');
    assert.strictEqual(meta.state_field, 'state');
    assert.strictEqual(meta.initial_state, 'reported');
});
