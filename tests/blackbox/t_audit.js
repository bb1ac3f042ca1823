'use strict';
// Acceptance: the audit log. Every create, update and delete is recorded with
// who, from where and which fields changed (sensitive values only as "***");
// tampering with the table behind the server's back (dropping the
// append-only triggers first) is found by `safecomm check`, which names the
// first broken entry.
const fs = require('node:fs');
const path = require('node:path');
const { test, assert, assertStatus, brief, sqlite, idNumber, RUN_TAG, backend, ADMIN_PASSWORD } = require('./lib');

const VILLAGE = '511621101001';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/;

async function token(s, username) {
    return (await s.cli(['token', 'create', '--db', s.db, '--username', username])).stdout.trim();
}

// The audit entries of one object, oldest first.
async function entriesOf(s, entity, id) {
    const r = await s.admin('GET', `/api/v1/audit?entity=${entity}&entity_id=${encodeURIComponent(id)}&page_size=50`);
    assertStatus(r, 200, `GET /audit?entity=${entity}&entity_id=${id}`);
    return r.json.items.slice().reverse();
}

function assertEntry(x, { action, username, entity, id, region, changes }, what) {
    assert.ok(x, `${what}: no audit entry`);
    assert.strictEqual(x.action, action, `${what}: action`);
    assert.strictEqual(x.username, username, `${what}: username`);
    assert.strictEqual(x.ip, '127.0.0.1', `${what}: ip`);
    assert.strictEqual(x.entity, entity, `${what}: entity`);
    assert.strictEqual(String(x.entity_id), String(id), `${what}: entity_id`);
    assert.strictEqual(x.region, region, `${what}: region`);
    assert.match(String(x.at), ISO, `${what}: at`);
    assert.ok(Number.isInteger(x.id) && x.id > 0, `${what}: id`);
    if (changes !== undefined) assert.deepStrictEqual(x.changes, changes, `${what}: changes`);
}

// Runs create, update, delete of one object as `who` and checks its three entries.
async function lifecycle(s, t, username, { entity, create, update, key, region, createChanges, updateChanges }) {
    const c = await s.api('POST', `/api/v1/${entity}`, { token: t, body: create });
    assertStatus(c, 201, `${username} POST ${entity}`);
    const id = c.json[key || 'id'];
    assertStatus(await s.api('PATCH', `/api/v1/${entity}/${id}`, { token: t, body: update }), 200, `${username} PATCH ${entity}`);
    assertStatus(await s.api('DELETE', `/api/v1/${entity}/${id}`, { token: t }), 204, `${username} DELETE ${entity}`);
    const e = (await entriesOf(s, entity, id)).filter((x) => x.action !== 'read');
    assert.deepStrictEqual(e.map((x) => x.action), ['create', 'update', 'delete'], `${entity} ${id}: actions in the audit log: ${JSON.stringify(e)}`);
    assertEntry(e[0], { action: 'create', username, entity, id, region, changes: createChanges }, `${entity} create`);
    assertEntry(e[1], { action: 'update', username, entity, id, region, changes: updateChanges }, `${entity} update`);
    assertEntry(e[2], { action: 'delete', username, entity, id, region }, `${entity} delete`);
    assert.ok(e[0].id < e[1].id && e[1].id < e[2].id, `${entity}: entry ids out of order`);
    return { id, entries: e };
}

test('every create, update and delete is audited: who, ip, the changed fields; sensitive values as "***"', async (ctx) => {
    const s = await ctx.server();
    const [county, village] = await Promise.all([token(s, 'county'), token(s, 'village')]);
    const vname = `审计志愿者${RUN_TAG}`;
    await lifecycle(s, county, 'county', {
        entity: 'volunteers',
        region: VILLAGE,
        create: { name: vname, region: VILLAGE, hours: 2, skills: '一队' },
        update: { hours: 5, skills: '二队', name: vname },
        createChanges: { name: [null, vname], region: [null, VILLAGE], hours: [null, 2], skills: [null, '一队'] },
        updateChanges: { hours: [2, 5], skills: ['一队', '二队'] },
    });
    const title = `审计活动${RUN_TAG}`;
    await lifecycle(s, village, 'village', {
        entity: 'activities',
        region: VILLAGE,
        create: { title, kind: 'drill', held_on: '2025-05-01', region: VILLAGE },
        update: { participants: 30 },
        createChanges: { title: [null, title], kind: [null, 'drill'], held_on: [null, '2025-05-01'], region: [null, VILLAGE] },
        updateChanges: { participants: [null, 30] },
    });
    const grid = `${VILLAGE}-7${parseInt(RUN_TAG, 36) % 10}`;
    await lifecycle(s, county, 'county', {
        entity: 'regions',
        key: 'code',
        region: grid,
        create: { code: grid, name: `审计网格${RUN_TAG}` },
        update: { population: 120 },
        createChanges: undefined,
        updateChanges: { population: [null, 120] },
    });
    // Sensitive fields: the values never reach the log.
    const id1 = idNumber('51162119800101123');
    const phone1 = '13912345678';
    const phone2 = '13887654321';
    const addr = `九龙镇柏坪村审计路${RUN_TAG}号`;
    const care = await lifecycle(s, village, 'village', {
        entity: 'care_households',
        region: VILLAGE,
        create: { name: `审计关爱户${RUN_TAG}`, kind: 'other', region: VILLAGE, id_number: id1, phone: phone1, address: addr, members: 1 },
        update: { phone: phone2, members: 2 },
        createChanges: {
            name: [null, `审计关爱户${RUN_TAG}`],
            kind: [null, 'other'],
            region: [null, VILLAGE],
            id_number: [null, '***'],
            phone: [null, '***'],
            address: [null, '***'],
            members: [null, 1],
        },
        updateChanges: { phone: ['***', '***'], members: [1, 2] },
    });
    const all = JSON.stringify(care.entries);
    for (const x of [id1, phone1, phone2, addr, id1.slice(6, 14)]) assert.ok(!all.includes(x), `the audit log holds ${x}`);
    // The regions entry: its changes name the code and name.
    const rc = (await entriesOf(s, 'regions', grid))[0];
    assert.deepStrictEqual(rc.changes.code, [null, grid], 'region create: code');
    assert.deepStrictEqual(rc.changes.name, [null, `审计网格${RUN_TAG}`], 'region create: name');
    // A user's own scope: the village worker's writes are in the county's audit view.
    const cv = await s.api('GET', `/api/v1/audit?entity=care_households&entity_id=${care.id}`, { token: county });
    assertStatus(cv, 200, 'county_admin GET /audit');
    assert.ok(cv.json.items.length >= 3, `county_admin sees ${cv.json.items.length} entries of the household`);
    // Filters: by user and action.
    const byUser = await s.admin('GET', `/api/v1/audit?user=village&action=delete&page_size=100`);
    assertStatus(byUser, 200, 'GET /audit?user=&action=');
    assert.ok(byUser.json.items.length >= 2 && byUser.json.items.every((x) => x.username === 'village' && x.action === 'delete'), `filtered audit: ${brief(byUser)}`);
});

// A copy of a stopped server's database (checkpointed) and key in its own directory.
async function copyDb(ctx, s, name) {
    const dir = path.join(ctx.tmpDir(), name);
    fs.mkdirSync(dir);
    const db = path.join(dir, 'audit.db');
    await backend.copyDb(s.db, db);
    fs.copyFileSync(s.key, db + '.key');
    fs.chmodSync(db + '.key', 0o600);
    return db;
}

function checkOutput(r) {
    return `${r.stdout}${r.stderr}`;
}

// The audit line of check's output, which must name `id` as the first broken entry.
function assertNames(r, id, what) {
    const out = checkOutput(r);
    assert.strictEqual(r.code, 1, `${what}: check exited ${r.code}, expected 1:\n${out}`);
    const lines = out.split('\n').filter((l) => /audit/i.test(l) && /FAIL|broken|altered|missing|removed/i.test(l));
    assert.ok(lines.length > 0, `${what}: check does not report the audit chain:\n${out}`);
    const nums = (lines[0].match(/\d+/g) || []).map(Number);
    assert.ok(nums.includes(id), `${what}: check does not name entry ${id}: ${lines[0]}`);
    return lines[0];
}

test('tampering with the audit table (triggers dropped) fails check, naming the first broken entry', async (ctx) => {
    const s = await ctx.server();
    const t = await token(s, 'county');
    const ids = [];
    for (let i = 0; i < 4; i++) {
        const c = await s.api('POST', '/api/v1/volunteers', { token: t, body: { name: `篡改${RUN_TAG}-${i}`, region: VILLAGE, hours: i } });
        assertStatus(c, 201, 'POST volunteer');
        ids.push(c.json.id);
    }
    assertStatus(await s.api('PATCH', `/api/v1/volunteers/${ids[1]}`, { token: t, body: { hours: 40 } }), 200, 'PATCH');
    assertStatus(await s.api('DELETE', `/api/v1/volunteers/${ids[2]}`, { token: t }), 204, 'DELETE');
    await s.stop();
    await sqlite(s.db, 'PRAGMA wal_checkpoint(TRUNCATE);');
    // The entry of the PATCH (middle of the new ones) and the very last one.
    const n = Number(await sqlite(s.db, `SELECT id FROM audit_log WHERE entity = 'volunteers' AND entity_id = '${ids[1]}' AND action = 'update'`));
    const last = Number(await sqlite(s.db, 'SELECT max(id) FROM audit_log'));
    assert.ok(n > 1 && n < last, `entry ids: update ${n}, last ${last}`);

    // The triggers refuse a naive change.
    const naive = await copyDb(ctx, s, 'naive');
    let refused = false;
    try {
        await sqlite(naive, `UPDATE audit_log SET reason = 'x' WHERE id = ${n};`);
    } catch (e) {
        refused = /append-only/.test(e.message);
    }
    assert.ok(refused, 'UPDATE audit_log was not refused by its trigger');
    refused = false;
    try {
        await sqlite(naive, `DELETE FROM audit_log WHERE id = ${last};`);
    } catch (e) {
        refused = /append-only/.test(e.message);
    }
    assert.ok(refused, 'DELETE FROM audit_log was not refused by its trigger');

    const cases = [
        ['untouched', null, null],
        ['reason of entry N changed', `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET reason = '例行维护' WHERE id = ${n};`, n],
        ['changes of entry N changed', `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET changes = '{"hours":[1,4]}' WHERE id = ${n};`, n],
        ['username of entry N changed', `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET username = 'admin' WHERE id = ${n};`, n],
        ['the last entry deleted', `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = ${last};`, last],
        ['entry N deleted', `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = ${n};`, n],
        ['entries N and the last changed', `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET reason = 'a' WHERE id IN (${n}, ${last});`, n],
        // Without its head row the chain cannot tell how long it was: that
        // itself is a failure (which entry, check cannot know).
        ['the last entry and the chain head row deleted', `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = ${last}; DELETE FROM audit_head;`, 'fail'],
    ];
    const dbs = await Promise.all(cases.map((c, i) => copyDb(ctx, s, `case${i}`)));
    const failures = [];
    await Promise.all(
        cases.map(async ([what, sql, id], i) => {
            try {
                if (sql) await sqlite(dbs[i], sql);
                const r = await s.cli(['check', '--db', dbs[i]], { check: false });
                if (id === null) {
                    assert.strictEqual(r.code, 0, `${what}: check exited ${r.code}:\n${checkOutput(r)}`);
                    assert.match(checkOutput(r), /audit/i, `${what}: check does not mention the audit chain`);
                } else if (id === 'fail') {
                    assert.strictEqual(r.code, 1, `${what}: check exited ${r.code}, expected 1:\n${checkOutput(r)}`);
                } else {
                    const line = assertNames(r, id, what);
                    ctx.note(`${what} (N=${n}, last=${last}): ${line.trim()}`);
                }
            } catch (e) {
                failures.push(e.message);
            }
        })
    );
    assert.strictEqual(failures.length, 0, failures.join('\n'));
});

test('audit and login log lists: a date window means whole days, filters combine, totals are direct counts, newest first', async (ctx) => {
    const s = await ctx.server();
    const count = async (sql) => Number((await sqlite(s.db, sql)).trim());
    // A wrong password and a right one put both results in the login log.
    await s.api('POST', '/api/v1/session', { body: { username: 'village', password: 'wrong-password-1' } });
    assertStatus(await s.api('POST', '/api/v1/session', { body: { username: 'village', password: ADMIN_PASSWORD } }), 200, 'login');
    const day = (await sqlite(s.db, 'SELECT substr(max(at), 1, 10) FROM audit_log')).trim();
    const prev = new Date(Date.parse(`${day}T00:00:00Z`) - 86400000).toISOString().slice(0, 10);

    let r = await s.admin('GET', `/api/v1/audit?from=${day}&to=${day}&page_size=3`);
    assertStatus(r, 200, 'audit of one day');
    assert.strictEqual(r.json.total, await count(`SELECT count(*) FROM audit_log WHERE substr(at, 1, 10) = '${day}'`), `entries of ${day}`);
    assert.strictEqual(r.json.items.length, Math.min(3, r.json.total), 'page size');
    const first = r.json.items.map((x) => x.id);
    assert.deepStrictEqual(first, first.slice().sort((a, b) => b - a), 'newest first');
    r = await s.admin('GET', `/api/v1/audit?from=${day}&to=${day}&page_size=3&page=2`);
    assert.ok(r.json.items.every((x) => x.id < Math.min(...first)), 'page 2 continues below page 1');
    r = await s.admin('GET', `/api/v1/audit?to=${prev}`);
    assert.strictEqual(r.json.total, await count(`SELECT count(*) FROM audit_log WHERE substr(at, 1, 10) <= '${prev}'`), 'to= the day before');
    r = await s.admin('GET', `/api/v1/audit?from=${day}&user=admin&entity=regions&action=create&page_size=1`);
    assert.strictEqual(
        r.json.total,
        await count(`SELECT count(*) FROM audit_log WHERE substr(at, 1, 10) >= '${day}' AND username = 'admin' AND entity = 'regions' AND action = 'create'`),
        'user, entity and action combined'
    );

    const lday = (await sqlite(s.db, 'SELECT substr(max(at), 1, 10) FROM login_log')).trim();
    for (const result of ['ok', 'bad_password']) {
        r = await s.admin('GET', `/api/v1/login-log?result=${result}&from=${lday}&to=${lday}&page_size=1`);
        assertStatus(r, 200, `login log ${result}`);
        assert.strictEqual(
            r.json.total,
            await count(`SELECT count(*) FROM login_log WHERE result = '${result}' AND substr(at, 1, 10) = '${lday}'`),
            `login log result=${result} of ${lday}`
        );
    }
    r = await s.admin('GET', '/api/v1/login-log?username=village');
    assert.ok(r.json.total >= 1 && r.json.items.every((x) => x.username === 'village'), 'login log by username');
    assertStatus(await s.admin('GET', '/api/v1/audit?page_size=0'), 400, 'page_size=0');
    assertStatus(await s.admin('GET', '/api/v1/login-log?page=x'), 400, 'page=x');
});

// Issue 17: the log as people read it. The codes stay (filters and scripts
// use them); each entry names its subject, its action (a state machine's
// step by its own name), its changed fields with their values, the person
// and where it came from, in Chinese.
test('the audit log reads in Chinese: subject, action, fields and values, person and source by label', async (ctx) => {
    const s = await ctx.server();
    const village = await token(s, 'village');
    const HAN = /[\u4e00-\u9fa5]/;
    const users = await s.admin('GET', '/api/v1/users?page_size=200');
    assertStatus(users, 200, 'GET /users');
    const vu = users.json.items.find((u) => u.username === 'village');
    assertStatus(await s.admin('PATCH', `/api/v1/users/${vu.id}`, { body: { display_name: '王村干' } }), 200, 'display name');
    const adminName = users.json.items.find((u) => u.username === 'admin').display_name;
    assert.ok(HAN.test(adminName), `admin's display name: ${adminName}`);

    // An activity by the village worker: labels from the entity's declaration and its dictionary.
    const meta = await s.admin('GET', '/api/v1/meta/entities');
    assertStatus(meta, 200, 'meta');
    const am = (meta.json.items || meta.json.entities || meta.json).find((e) => e.name === 'activities');
    const kindField = am.fields.find((f) => f.name === 'kind');
    const dict = await s.admin('GET', `/api/v1/dicts/${kindField.dict}`);
    assertStatus(dict, 200, `dict ${kindField.dict}`);
    const drill = (dict.json.items || []).find((i) => i.code === 'drill');
    assert.ok(drill && HAN.test(drill.label), `the drill's label: ${brief(dict)}`);
    const title = `审计标签${RUN_TAG}`;
    const c = await s.api('POST', '/api/v1/activities', { token: village, body: { title, kind: 'drill', held_on: '2025-05-01', region: VILLAGE } });
    assertStatus(c, 201, 'POST activity');
    assertStatus(await s.api('PATCH', `/api/v1/activities/${c.json.id}`, { token: village, body: { participants: 30 } }), 200, 'PATCH activity');
    const [cr, up] = (await entriesOf(s, 'activities', c.json.id)).filter((x) => x.action !== 'read');
    for (const x of [cr, up]) {
        assert.strictEqual(x.entity_label, am.label, 'the entity label');
        assert.strictEqual(x.user_name, '王村干', 'the person by name');
        assert.strictEqual(x.username, 'village', 'the login name stays');
        assert.strictEqual(x.ip_label, '127.0.0.1', 'a request shows its address');
    }
    assert.strictEqual(cr.action_label, '新增');
    assert.strictEqual(up.action_label, '修改');
    const kindRow = cr.changes_view.find((r) => r.field === 'kind');
    assert.deepStrictEqual(kindRow, { field: 'kind', label: kindField.label, before: null, after: drill.label }, 'a dictionary value by its label; a create has no before');
    const regionRow = cr.changes_view.find((r) => r.field === 'region');
    assert.ok(regionRow && HAN.test(regionRow.after) && regionRow.after !== VILLAGE, `a region by its name: ${JSON.stringify(regionRow)}`);
    const pRow = up.changes_view.find((r) => r.field === 'participants');
    assert.strictEqual(pRow.label, am.fields.find((f) => f.name === 'participants').label);
    assert.strictEqual(pRow.before, '（空）');
    assert.strictEqual(pRow.after, '30');

    // A hazard's steps: the machine's action labels and its states by name.
    const h = await s.admin('POST', '/api/v1/hazards', { body: { region: VILLAGE, title: `审计隐患${RUN_TAG}`, domain: 'fire', grade: 'general', found_at: '2025-09-20' } });
    assertStatus(h, 201, 'POST hazard');
    const steps = [
        { action: 'assign', deadline_days: 5, responsible_unit: '九龙镇便民超市', responsible_person: '张三', measures: '清理楼道杂物' },
        { action: 'start' },
        { action: 'report_progress', note: '已清理一半' },
    ];
    for (const b of steps) assertStatus(await s.admin('POST', `/api/v1/hazards/${h.json.id}/transitions`, { body: b }), 200, `hazard ${b.action}`);
    const he = (await entriesOf(s, 'hazards', h.json.id)).filter((x) => x.action === 'transition');
    assert.deepStrictEqual(he.map((x) => x.action_label), ['下达整改通知', '开始整改', '报告进展'], 'transitions by their labels');
    assert.ok(he.every((x) => x.user_name === adminName), 'the audit log names the admin by name');
    assert.deepStrictEqual(he[0].changes_view.find((r) => r.field === 'state'), { field: 'state', label: '状态', before: '已登记', after: '已下达整改通知' }, 'the state change by name');
    const dd = he[0].changes_view.find((r) => r.field === 'deadline_days');
    assert.ok(dd && HAN.test(dd.label) && dd.after === '5', `a step's own field by label: ${JSON.stringify(he[0].changes_view)}`);
    assert.ok(!he[2].changes_view.some((r) => r.field === 'state'), 'a step that keeps the state shows no state row');
    assert.strictEqual(he[2].changes_view.find((r) => r.field === 'note').after, '已清理一半');
    // The hazard's own timeline names the person too.

    const hs = await s.admin('GET', `/api/v1/hazards/${h.json.id}/history`);
    assertStatus(hs, 200, 'hazard history');
    assert.deepStrictEqual(hs.json.items.map((x) => x.user_name), [adminName, adminName, adminName], `steps name the person: ${brief(hs)}`);

    // A role: a platform subject, permissions by label (wildcards too).
    const role = `audit_l${parseInt(RUN_TAG, 36) % 100000}`;
    assertStatus(await s.admin('POST', '/api/v1/roles', { body: { name: role, label: '审计标签角色', permissions: ['*:read'] } }), 201, 'POST role');
    const re = (await entriesOf(s, 'roles', role))[0];
    assert.strictEqual(re.entity_label, '角色');
    assert.strictEqual(re.action_label, '新增');
    assert.deepStrictEqual(re.changes_view.find((r) => r.field === 'permissions'), { field: 'permissions', label: '权限', before: null, after: '全部记录：查看' });

    // An export: its kind by name.
    const x = await s.api('GET', '/api/v1/activities/export.xlsx', { token: village });
    assertStatus(x, 200, 'export');
    const ex = await s.admin('GET', '/api/v1/audit?entity=activities&action=export&user=village&page_size=1');
    assert.strictEqual(ex.json.items[0].action_label, '导出');
    assert.strictEqual(ex.json.items[0].changes_view.find((r) => r.field === 'kind').after, 'Excel 表格');

    // The system's own entries: 系统, and no address.
    const sys = await s.admin('GET', '/api/v1/audit?user=system&page_size=20');
    assertStatus(sys, 200, 'system entries');
    assert.ok(sys.json.items.length > 0, 'the system wrote entries (the roles baseline)');
    for (const it of sys.json.items) {
        assert.strictEqual(it.user_name, '系统', 'the system by name');
        assert.ok(['系统生成', '命令行', '—'].includes(it.ip_label), `the system's source: ${it.ip} → ${it.ip_label}`);
    }
    // Every entry of the last hundred has Chinese labels for its subject and action.
    const all = await s.admin('GET', '/api/v1/audit?page_size=100');
    for (const it of all.json.items) {
        assert.ok(HAN.test(it.entity_label) && HAN.test(it.action_label), `entry ${it.id} (${it.entity} ${it.action}): ${it.entity_label} ${it.action_label}`);
        for (const r of it.changes_view) assert.ok(HAN.test(r.label), `entry ${it.id}: field ${r.field} labelled ${r.label}`);
    }
});
