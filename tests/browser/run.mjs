#!/usr/bin/env node
// Browser tests of the web console: node tests/browser/run.mjs [filter]
//
// Starts the real server (SAFECOMM_BIN, default build/safecomm) on a copy of
// a demo database, on a free loopback port, serving web/dist; drives Debian's
// Chromium (SAFECOMM_CHROMIUM, default /usr/bin/chromium) headless through
// playwright-core (a devDependency of web/, installed by `npm ci` there) with
// a fresh profile directory; runs the tests in order (they share one browser
// and build on each other's state) and ends with the line "N passed, N failed".
//
// Every test fails on a console error or an uncaught exception in the page,
// except the browser's own "Failed to load resource" line for an HTTP status
// the test expects (the 401 of the session check before login, a 422 it
// provokes, ...). A JavaScript dialog (alert/confirm/prompt) also fails it.
//
// Environment: SAFECOMM_SCREENSHOTS=DIR writes screenshots of the main pages
// there (default tests/out/browser); BROWSER_KEEP=1 keeps the temp directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fromRoot = (p) => (path.isAbsolute(p) ? p : path.resolve(ROOT, p));
const BIN = fromRoot(process.env.SAFECOMM_BIN || 'build/safecomm');
const WEB_ROOT = fromRoot(process.env.SAFECOMM_WEB_ROOT || 'web/dist');
const CHROMIUM = process.env.SAFECOMM_CHROMIUM || '/usr/bin/chromium';
const SHOTS = fromRoot(process.env.SAFECOMM_SCREENSHOTS || 'tests/out/browser');
const PASSWORD = 'Browser-Test-2025!';
const CHROME_FLAGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-quic',
    '--no-first-run',
    '--disable-component-update',
    '--disable-sync',
];
const XSS = '<img src=x onerror=alert(1)>';
const filter = process.argv[2] || '';

function out(s) {
    process.stdout.write(s + '\n');
}

function fatal(msg) {
    out(`browser: ${msg}`);
    out('0 passed, 1 failed');
    process.exit(1);
}

/* ---------------- preconditions ---------------- */

let chromium;
try {
    const require = createRequire(path.join(ROOT, 'web', 'package.json'));
    ({ chromium } = require('playwright-core'));
} catch (e) {
    fatal(`playwright-core not found (run npm ci in web/): ${e.message}`);
}
if (!fs.existsSync(BIN)) fatal(`${BIN} not found (run make build/safecomm)`);
if (!fs.existsSync(path.join(WEB_ROOT, 'index.html'))) fatal(`${WEB_ROOT}/index.html not found (run make web)`);
if (!fs.existsSync(CHROMIUM)) fatal(`${CHROMIUM} not found (run scripts/setup.sh browser)`);

/* ---------------- the server ---------------- */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'safecomm-browser-'));

function serverEnv(extra) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SAFECOMM_')) env[k] = v;
    return Object.assign(env, extra || {});
}

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

function makeDatabase() {
    const baseDir = path.join(tmp, 'base');
    const runDir = path.join(tmp, 'run');
    fs.mkdirSync(baseDir);
    fs.mkdirSync(runDir);
    const r = spawnSync(BIN, ['demo', '--db', path.join(baseDir, 'demo.db')], {
        env: serverEnv({ SAFECOMM_ADMIN_PASSWORD: PASSWORD }),
        encoding: 'utf8',
        timeout: 120000,
    });
    if (r.status !== 0) fatal(`safecomm demo failed: ${r.stderr || r.error}`);
    // The test works on a copy; the key file goes along, mode 0600.
    fs.copyFileSync(path.join(baseDir, 'demo.db'), path.join(runDir, 'demo.db'));
    fs.copyFileSync(path.join(baseDir, 'demo.db.key'), path.join(runDir, 'demo.db.key'));
    fs.chmodSync(path.join(runDir, 'demo.db.key'), 0o600);
    return path.join(runDir, 'demo.db');
}

async function startServer(db) {
    const port = await freePort();
    const log = fs.openSync(path.join(tmp, 'server.log'), 'a');
    const child = spawn(
        BIN,
        ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--web-root', WEB_ROOT, '--threads', '2'],
        { env: serverEnv(), stdio: ['ignore', log, log] },
    );
    const base = `http://127.0.0.1:${port}`;
    const t0 = Date.now();
    for (;;) {
        if (child.exitCode !== null) fatal(`server exited (${child.exitCode}); see ${tmp}/server.log`);
        try {
            const r = await fetch(`${base}/healthz`);
            if (r.ok) break;
        } catch {
            /* not yet */
        }
        if (Date.now() - t0 > 30000) fatal('server did not start in 30 s');
        await new Promise((r) => setTimeout(r, 100));
    }
    return { child, base };
}

function serverLogTail(n = 20) {
    try {
        return fs.readFileSync(path.join(tmp, 'server.log'), 'utf8').trim().split('\n').slice(-n).join('\n');
    } catch {
        return '';
    }
}

/* ---------------- page watching ---------------- */

// Console errors and page exceptions, minus the expected HTTP statuses.
class Watch {
    constructor() {
        this.problems = [];
        this.expected = [];
        this.always = [{ status: 401, url: /\/api\/v1\/session$/ }];
    }
    expect(status, url) {
        this.expected.push({ status, url });
    }
    reset() {
        this.problems = [];
        this.expected = [];
    }
    attach(page) {
        page.on('console', (m) => {
            if (m.type() !== 'error') return;
            const text = m.text();
            const url = (m.location() && m.location().url) || '';
            const mm = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(text);
            if (mm) {
                const status = Number(mm[1]);
                const ok = [...this.always, ...this.expected].some((e) => e.status === status && e.url.test(url));
                if (ok) return;
            }
            this.problems.push(`console error: ${text}${url ? ` (${url})` : ''}`);
        });
        page.on('pageerror', (e) => this.problems.push(`uncaught exception: ${e.message}`));
        page.on('dialog', async (d) => {
            this.problems.push(`unexpected JavaScript dialog (${d.type()}): ${d.message()}`);
            await d.dismiss().catch(() => {});
        });
    }
}

/* ---------------- helpers ---------------- */

function assert(cond, msg) {
    if (!cond) throw new Error(msg);
}

async function shot(page, name) {
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.waitForTimeout(350); // let transitions settle
    await page
        .waitForFunction(() => !document.querySelector('.el-loading-mask'), null, { timeout: 3000 })
        .catch(() => {});
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function login(page, base, username, password = PASSWORD) {
    await page.goto(`${base}/login`);
    await page.locator('[data-test=login-username]').fill(username);
    await page.locator('[data-test=login-password]').fill(password);
    await page.locator('[data-test=login-submit]').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15000 });
}

async function logout(page) {
    await page.locator('[data-test=user-menu]').click();
    await page.locator('.el-dropdown-menu__item[data-test=logout]').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await page.waitForURL((u) => u.pathname.startsWith('/login'), { timeout: 15000 });
}

// The list page counts its finished loads (data-loads) and says when a
// request is in flight (data-busy). settled() waits for a load after `before`
// to finish and returns the table's rows.
async function loadCount(page) {
    return Number((await page.locator('[data-test=table-scroll]').getAttribute('data-loads')) || 0);
}

async function settled(page, before = 0) {
    await page.waitForFunction(
        (b) => {
            const e = document.querySelector('[data-test=table-scroll]');
            return e && e.dataset.busy === 'false' && Number(e.dataset.loads) > b;
        },
        before,
        { timeout: 15000 },
    );
    return page.locator('[data-test=data-table] .el-table__body-wrapper tbody tr');
}

const tableRows = (page) => settled(page, 0);

// Runs action() and waits for the list load it causes.
async function reloaded(page, action) {
    const before = await loadCount(page);
    await action();
    return settled(page, before);
}

async function search(page, q) {
    return reloaded(page, async () => {
        await page.locator('[data-test=search-q]').fill(q);
        await page.locator('[data-test=search-btn]').click();
    });
}

// Chooses a region in a region picker: open it, filter by the name, wait for
// the tree to stop moving, click the node; the picker then shows the name.
async function pickRegion(page, formItem, name) {
    const input = formItem.locator('.region-input input');
    for (let attempt = 0; attempt < 3; attempt++) {
        await formItem.locator('[data-test=region-select]').click();
        const popper = page.locator('.region-popper:visible');
        await popper.locator('.region-filter input').fill(name);
        let last = '';
        for (let i = 0; i < 20; i++) {
            await page.waitForTimeout(150);
            const now = (await popper.locator('.el-tree-node__content:visible').allInnerTexts()).join('|');
            if (now === last && now.includes(name)) break;
            last = now;
        }
        await popper.locator('.el-tree-node__content', { hasText: name }).first().click();
        await popper.waitFor({ state: 'hidden' });
        if ((await input.inputValue()) === name) return;
    }
    assert(false, `the region picker shows ${JSON.stringify(await input.inputValue())}, not ${name}`);
}

async function pickOption(page, formItem, label) {
    await formItem.locator('.el-select__wrapper').click();
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: label }).first().click();
    await page.locator('.el-select-dropdown:visible').waitFor({ state: 'hidden' });
}

async function confirmBox(page) {
    await page.locator('.el-message-box__btns .el-button--primary').click();
}

async function noScriptInjected(page) {
    const n = await page.evaluate(() => document.querySelectorAll('img[src="x"]').length);
    assert(n === 0, `an <img src=x> element was created from record text (${n})`);
    const fired = await page.evaluate(() => window.__xss === true);
    assert(!fired, 'injected script ran');
}

/* ---------------- the tests ---------------- */

const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const S = {}; // state shared between tests

test('login page: the session check, a wrong password, then admin logs in', async ({ page, base, watch }) => {
    await page.goto(`${base}/e/volunteers`);
    await page.waitForURL((u) => u.pathname === '/login');
    assert(new URL(page.url()).searchParams.get('redirect') === '/e/volunteers', 'redirect target not kept');
    await page.locator('[data-test=login-username]').waitFor();
    await shot(page, 'login');
    watch.expect(401, /\/api\/v1\/session$/);
    await page.locator('[data-test=login-username]').fill('admin');
    await page.locator('[data-test=login-password]').fill('wrong-password');
    await page.locator('[data-test=login-submit]').click();
    await page.locator('[data-test=login-error]').waitFor();
    const err = await page.locator('[data-test=login-error]').innerText();
    assert(err.includes('用户名或密码错误'), `login error says: ${err}`);
    await page.locator('[data-test=login-password]').fill(PASSWORD);
    await page.locator('[data-test=login-submit]').click();
    await page.waitForURL((u) => u.pathname === '/e/volunteers', { timeout: 15000 });
});

test('home: region and real counts; the administration menu is there for admin', async ({ page, base }) => {
    await page.goto(`${base}/`);
    const card = page.locator('[data-test=count-volunteers] .stat-value');
    await page.waitForFunction(
        () => /^\d[\d,]*$/.test((document.querySelector('[data-test=count-volunteers] .stat-value') || {}).innerText || ''),
        null,
        { timeout: 15000 },
    );
    const shown = Number((await card.innerText()).replace(/,/g, ''));
    const real = await page.evaluate(async () => {
        const r = await fetch('/api/v1/volunteers?page=1&page_size=1');
        return (await r.json()).total;
    });
    assert(shown === real, `home shows ${shown} volunteers, the API says ${real}`);
    assert((await page.locator('[data-test=home-region]').innerText()).trim().length > 0, 'no region shown');
    assert(await page.locator('[data-test=menu-admin]').isVisible(), 'admin menu missing for admin');
    await page.waitForTimeout(600); // the chart's animation
    await shot(page, 'home');
});

test('the region switcher limits every list and export to the chosen subtree', async ({ page, base }) => {
    await page.goto(`${base}/e/volunteers`);
    await tableRows(page);
    const all = await page.evaluate(async () => (await (await fetch('/api/v1/volunteers?page_size=1')).json()).total);
    const urls = [];
    const onReq = (r) => {
        if (r.url().includes('/api/v1/volunteers?')) urls.push(r.url());
    };
    page.on('request', onReq);
    const rows = await reloaded(page, () => pickRegion(page, page.locator('[data-test=region-switch]'), '九龙镇'));
    page.off('request', onReq);
    const last = new URL(urls[urls.length - 1]);
    assert(last.searchParams.get('region') === '511621101000', `list request without the region: ${last}`);
    const shown = Number((await page.locator('.el-pagination__total').innerText()).replace(/\D/g, ''));
    assert(shown > 0 && shown < all, `九龙镇 shows ${shown} of ${all} volunteers`);
    const regions = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('td.col-region').innerText));
    const names = await page.evaluate(async () => {
        const d = await (await fetch('/api/v1/regions?page_size=500&sort=code')).json();
        return d.items.filter((r) => r.code.startsWith('511621101')).map((r) => r.name);
    });
    for (const r of regions) assert(names.includes(r), `a row from outside 九龙镇: ${r}`);
    // The choice stays for the session (reload), then back to the whole tree.
    await page.reload();
    await tableRows(page);
    assert((await page.locator('[data-test=region-switch] .region-input input').inputValue()) === '九龙镇', 'choice lost');
    await reloaded(page, () => pickRegion(page, page.locator('[data-test=region-switch]'), '四川省'));
});

test('volunteers: validation error on the right field, create, search, edit, detail, export, delete', async ({
    page,
    base,
    watch,
    tmpdir,
}) => {
    const uniq = `浏览器测试${Date.now() % 100000}`;
    const name = `${XSS}${uniq}`;
    await page.goto(`${base}/e/volunteers`);
    let rows = await tableRows(page);
    assert((await rows.count()) > 0, 'the volunteers list is empty');
    await shot(page, 'list-volunteers');

    // Server-side sorting from a header, and the column chooser.
    const nameHead = page.locator('[data-test=data-table] .el-table__header th', { hasText: '姓名' });
    rows = await reloaded(page, () => nameHead.locator('.caret-wrapper .ascending').click());
    assert(new URL(page.url()).searchParams.get('sort') === 'name', `sort not in the URL: ${page.url()}`);
    rows = await reloaded(page, () => nameHead.locator('.caret-wrapper .descending').click());
    assert(new URL(page.url()).searchParams.get('sort') === '-name', `sort not descending: ${page.url()}`);
    await page.locator('[data-test=columns-btn]').click();
    const chooser = page.locator('[data-test=column-chooser]');
    await chooser.locator('.el-checkbox', { hasText: '联系电话' }).click();
    await page.waitForFunction(
        () => ![...document.querySelectorAll('[data-test=data-table] .el-table__header th')].some((th) => th.innerText.includes('联系电话')),
    );
    await chooser.locator('.el-checkbox', { hasText: '联系电话' }).click();
    await page.locator('[data-test=data-table] .el-table__header th', { hasText: '联系电话' }).waitFor();
    // Escape may close the popover itself; the button closes it if not. A
    // click while the popover is still fading out opens it again, so each
    // click is followed by a wait for it to be gone before the next.
    await page.keyboard.press('Escape');
    for (let i = 0; i < 4; i++) {
        const gone = await chooser.waitFor({ state: 'hidden', timeout: 1500 }).then(() => true, () => false);
        if (gone) break;
        await page.locator('[data-test=columns-btn]').click();
    }
    await chooser.waitFor({ state: 'hidden' });

    // Empty form: the server's 422 lands under the fields it names.
    watch.expect(422, /\/api\/v1\/volunteers$/);
    await page.locator('[data-test=create-btn]').click();
    const dialog = page.locator('.entity-dialog');
    await dialog.waitFor();
    await dialog.locator('[data-test=dialog-save]').click();
    const nameItem = dialog.locator('[data-field=name]');
    await nameItem.locator('.el-form-item__error').waitFor({ timeout: 10000 });
    assert(await nameItem.evaluate((el) => el.classList.contains('is-error')), 'name field not marked as an error');
    const nameErr = await nameItem.locator('.el-form-item__error').innerText();
    assert(nameErr.trim().length > 0, 'no message under the name field');
    const skillsErr = await dialog.locator('[data-field=skills] .el-form-item__error').count();
    assert(skillsErr === 0, 'an error shown under a field the server did not name');
    await shot(page, 'dialog-validation');

    // Fill it in and save.
    await nameItem.locator('input').fill(name);
    await pickRegion(page, dialog.locator('[data-field=region]'), '白坝社区');
    await pickOption(page, dialog.locator('[data-field=gender]'), '女');
    await dialog.locator('[data-field=skills] input').fill('平安志愿队');
    await dialog.locator('[data-field=note] textarea').fill(`备注${XSS}`);
    await reloaded(page, () => dialog.locator('[data-test=dialog-save]').click());
    await dialog.waitFor({ state: 'hidden', timeout: 10000 });

    // Search finds exactly it, shown as text.
    rows = await search(page, uniq);
    assert((await rows.count()) === 1, `search for ${uniq} found ${await rows.count()} rows`);
    const rowText = await rows.first().innerText();
    assert(rowText.includes(name), `row does not show the name as text: ${rowText}`);
    assert(rowText.includes('白坝社区') && rowText.includes('女'), `row misses region or gender label: ${rowText}`);
    await noScriptInjected(page);

    // Edit.
    await rows.first().locator('[data-test=row-edit]').click();
    await dialog.waitFor();
    const nameValue = await dialog.locator('[data-field=name] input').inputValue();
    assert(nameValue === name, `edit dialog shows name ${nameValue}`);
    await dialog.locator('[data-field=phone] input').fill('13911112222');
    rows = await reloaded(page, () => dialog.locator('[data-test=dialog-save]').click());
    await dialog.waitFor({ state: 'hidden', timeout: 10000 });
    assert((await rows.first().innerText()).includes('13911112222'), 'the edit is not in the list');

    // Export with the current filters: the request carries q and region.
    let exportUrl = '';
    const onReq = (r) => {
        if (r.url().includes('/export.xlsx')) exportUrl = r.url();
    };
    page.on('request', onReq);
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20000 }), page.locator('[data-test=export-btn]').click()]);
    page.off('request', onReq);
    const file = path.join(tmpdir, 'export.xlsx');
    await dl.saveAs(file);
    const data = fs.readFileSync(file);
    assert(data.length > 100 && data.subarray(0, 2).toString() === 'PK', 'the export is not an xlsx file');
    const eu = new URL(exportUrl);
    assert(eu.searchParams.get('q') === uniq, `export did not carry q: ${exportUrl}`);
    assert(eu.searchParams.get('region'), `export did not carry region: ${exportUrl}`);

    // Detail with the change history; text stays text.
    await rows.first().locator('[data-test=row-detail]').click();
    await page.waitForURL((u) => /^\/e\/volunteers\/\d+$/.test(u.pathname));
    const detail = page.locator('[data-test=entity-detail]');
    await detail.locator('.detail-desc').waitFor();
    const dtext = await detail.innerText();
    assert(dtext.includes(name) && dtext.includes(`备注${XSS}`), 'detail does not show the text fields literally');
    await page.locator('[data-test=history][data-busy=false]').waitFor();
    const hist = await page.locator('[data-test=history]').innerText();
    assert(hist.includes('13911112222'), `history does not show the edit: ${hist.slice(0, 200)}`);
    assert(!(await page.locator('.el-tabs__item', { hasText: 'img' }).count()), 'tab title built from record text');
    await noScriptInjected(page);
    S.volunteerPath = new URL(page.url()).pathname;

    // Delete from the list, with the confirmation.
    await page.goto(`${base}/e/volunteers?q=${encodeURIComponent(uniq)}`);
    rows = await tableRows(page);
    assert((await rows.count()) === 1, 'record gone before delete');
    await rows.first().locator('[data-test=row-delete]').click();
    await page.locator('.el-message-box').waitFor();
    assert((await page.locator('.el-message-box').innerText()).includes(XSS), 'confirmation does not name the record as text');
    await noScriptInjected(page);
    rows = await reloaded(page, () => confirmBox(page));
    assert((await rows.count()) === 0, 'the deleted record is still listed');
    watch.expect(404, /\/api\/v1\/volunteers\/\d+$/);
    await page.goto(`${base}${S.volunteerPath}`);
    await page.locator('[data-test=entity-detail] .el-alert').waitFor();
});

test('import: the template, row errors in a table, then a partial import', async ({ page, base, watch, tmpdir }) => {
    await page.goto(`${base}/e/volunteers`);
    await tableRows(page);
    await page.locator('[data-test=import-btn]').click();
    const dlg = page.locator('[data-test=import-dialog]');
    await dlg.waitFor();
    const [tpl] = await Promise.all([page.waitForEvent('download'), dlg.locator('[data-test=import-template]').click()]);
    await tpl.saveAs(path.join(tmpdir, 'template.xlsx'));
    assert(fs.readFileSync(path.join(tmpdir, 'template.xlsx')).subarray(0, 2).toString() === 'PK', 'template is not xlsx');

    const tag = `导入测试${Date.now() % 100000}`;
    const csv = ['姓名,性别,特长,区域代码', `${tag}甲,男,导入队,511621101001`, `${tag}乙,未知,导入队,511621101001`].join('\n') + '\n';
    const file = path.join(tmpdir, 'volunteers.csv');
    fs.writeFileSync(file, csv);
    watch.expect(422, /\/api\/v1\/volunteers\/import$/);
    await dlg.locator('[data-test=import-file]').setInputFiles(file);
    await dlg.locator('[data-test=import-submit]').click();
    await dlg.locator('[data-test=import-result]').waitFor();
    assert((await dlg.locator('[data-test=import-result]').innerText()).includes('导入失败'), 'all-or-nothing failure not shown');
    const err = await dlg.locator('[data-test=import-errors] .el-table__body-wrapper tbody tr').first().innerText();
    assert(/3/.test(err) && err.includes('性别'), `row error not shown as row 3 / 性别: ${err}`);
    assert(await dlg.locator('[data-test=import-progress]').count(), 'no progress bar');

    await dlg.locator('.el-checkbox', { hasText: '只导入正确的行' }).click();
    await reloaded(page, () => dlg.locator('[data-test=import-submit]').click());
    await page.waitForFunction(
        () => (document.querySelector('[data-test=import-result]')?.innerText || '').includes('导入完成'),
        null,
        { timeout: 10000 },
    );
    assert((await dlg.locator('[data-test=import-result]').innerText()).includes('导入 1 行'), 'partial import count');
    await dlg.locator('.el-dialog__footer .el-button', { hasText: '关闭' }).click();
    const found = await search(page, tag);
    assert((await found.count()) === 1, `imported rows found: ${await found.count()}`);
});

test('care households: a sensitive field is masked and revealed with a reason', async ({ page, base }) => {
    await page.goto(`${base}/e/care_households`);
    const rows = await tableRows(page);
    assert((await rows.count()) > 0, 'no care households');
    const masked = await rows.first().locator('[data-test=value-id_number]').innerText();
    // The first 3 and the check character only (docs/security.md, "Masks").
    assert(/^\d{3}\*{14}[\dX]$/.test(masked), `the ID number is not masked in the list: ${masked}`);
    await rows.first().locator('[data-test=row-detail]').click();
    await page.waitForURL((u) => /^\/e\/care_households\/\d+$/.test(u.pathname));
    const field = page.locator('[data-test=entity-detail] .sensitive', { has: page.locator('[data-test=value-id_number]') });
    await field.waitFor();
    assert((await field.locator('[data-test=value-id_number]').innerText()) === masked, 'detail shows another mask');
    // The birth date would give the masked digits: its year only until the reveal.
    const birth = page.locator('[data-test=entity-detail] [data-test=value-birth_date]');
    assert(/^\d{4}-\*\*-\*\*$/.test(await birth.innerText()), `the birth date is not masked: ${await birth.innerText()}`);
    await field.locator('[data-test=reveal]').click();
    const box = page.locator('.el-message-box');
    await box.waitFor();
    await confirmBox(page); // no reason: refused by the prompt
    await box.locator('.el-message-box__errormsg').waitFor();
    await box.locator('input').fill('入户走访核对身份');
    await confirmBox(page);
    await page.waitForFunction(
        () => /^\d{17}[\dX]$/.test(document.querySelector('[data-test=entity-detail] [data-test=value-id_number]')?.innerText || ''),
        null,
        { timeout: 10000 },
    );
    assert((await field.locator('[data-test=reveal]').count()) === 0, 'the reveal action is still offered');
    assert(/^\d{4}-\d{2}-\d{2}$/.test(await birth.innerText()), `the reveal did not show the birth date: ${await birth.innerText()}`);
    await page.locator('[data-test=history][data-busy=false]').waitFor();
    const hist = await page.locator('[data-test=history]').innerText();
    assert(hist.includes('入户走访核对身份'), 'the reveal and its reason are not in the history');
});

test('a session that ends keeps the open dialog and restores it after login', async ({ page, base, context, watch }) => {
    await page.goto(`${base}/e/activities`);
    await tableRows(page);
    await page.locator('[data-test=create-btn]').click();
    const dialog = page.locator('.entity-dialog');
    await dialog.waitFor();
    await dialog.locator('[data-field=title] input').fill('未保存的活动标题');
    await context.clearCookies(); // the session is gone
    watch.expect(401, /\/api\/v1\/activities$/);
    await dialog.locator('[data-test=dialog-save]').click();
    await page.waitForURL((u) => u.pathname === '/login', { timeout: 10000 });
    await page.locator('[data-test=login-notice]').waitFor();
    await page.locator('[data-test=login-password]').fill(PASSWORD);
    await page.locator('[data-test=login-submit]').click();
    await page.waitForURL((u) => u.pathname === '/e/activities', { timeout: 15000 });
    await dialog.waitFor({ timeout: 10000 });
    const v = await dialog.locator('[data-field=title] input').inputValue();
    assert(v === '未保存的活动标题', `the restored dialog has title ${JSON.stringify(v)}`);
    await dialog.locator('.el-dialog__footer .el-button', { hasText: '取消' }).click();
    await dialog.waitFor({ state: 'hidden' });
});

test('administration pages: users, roles, regions, dicts, calendar toggle, audit, login log', async ({ page, base }) => {
    await page.goto(`${base}/admin/users`);
    await page.locator('[data-test=users-page] .el-table__body-wrapper tbody tr').first().waitFor({ timeout: 10000 });
    const users = await page.locator('[data-test=users-page]').innerText();
    assert(users.includes('village') && users.includes('county'), 'users page misses demo users');
    await shot(page, 'users');

    await page.goto(`${base}/admin/roles`);
    await page.locator('[data-test=roles-page] .el-table__body-wrapper tbody tr').first().waitFor({ timeout: 10000 });
    const roles = await page.locator('[data-test=roles-page]').innerText();
    assert(roles.includes('村/社区及网格员') && !roles.includes('village_worker'), 'roles: by their names, without codes');
    assert(roles.includes('全部记录：查看') && !roles.includes('*:read'), 'roles: a wildcard permission by its label');

    await page.goto(`${base}/admin/regions`);
    await page.locator('[data-test=regions-page] .el-tree-node', { hasText: '岳池县' }).first().waitFor({ timeout: 10000 });

    await page.goto(`${base}/admin/dicts`);
    await page.locator('[data-test=dicts-page] .el-table__row', { hasText: '性别' }).first().click();
    await page.locator('[data-test=dicts-page] .el-table__row', { hasText: '女' }).first().waitFor();

    // Calendar: a click makes a weekday a holiday; saved, it stays one.
    await page.goto(`${base}/admin/calendar`);
    const year = new Date().getFullYear();
    let day = null;
    for (let d = 2; d <= 28 && !day; d++) {
        const date = `${year}-03-${String(d).padStart(2, '0')}`;
        const cls = await page.locator(`[data-date="${date}"]`).getAttribute('class');
        if (cls && cls.includes('workday')) day = date;
    }
    assert(day, 'no working day found in March');
    await page.locator(`[data-date="${day}"]`).click();
    assert((await page.locator(`[data-date="${day}"]`).getAttribute('class')).includes('holiday'), 'click did not mark a holiday');
    await shot(page, 'calendar');
    await page.locator('[data-test=calendar-save]').click();
    await page.waitForFunction(() => document.querySelector('[data-test=calendar-save]')?.disabled === true, null, { timeout: 10000 });
    await page.reload();
    await page.locator(`[data-date="${day}"].holiday`).waitFor({ timeout: 10000 });
    const cal = await page.evaluate(async (y) => (await fetch(`/api/v1/calendar/${y}`)).json(), year);
    assert(cal.holidays.includes(day), `server calendar lacks ${day}`);
    await page.locator(`[data-date="${day}"]`).click(); // and back
    await page.locator('[data-test=calendar-save]').click();
    await page.waitForFunction(() => document.querySelector('[data-test=calendar-save]')?.disabled === true, null, { timeout: 10000 });

    await page.goto(`${base}/admin/audit`);
    await page.locator('[data-test=audit-page] .el-table__body-wrapper tbody tr').first().waitFor({ timeout: 10000 });
    // The log in Chinese: people by name, no "demo" address, actions and subjects by label.
    await page.locator('[data-test=audit-page] input[aria-label=用户]').fill('system');
    await page.locator('[data-test=audit-page] .el-button', { hasText: '查询' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-test=audit-user]')].some((e) => e.textContent === '系统'), null, { timeout: 10000 });
    const audit = await page.locator('[data-test=audit-page] .el-table__body-wrapper').innerText();
    assert(audit.includes('系统生成') && !/\bdemo\b|\bsystem\b/.test(audit), `audit log shows codes: ${audit.slice(0, 300)}`);
    const cells = await page.locator('[data-test=audit-action], [data-test=audit-entity]').allInnerTexts();
    assert(cells.length && cells.every((t) => /[\u4e00-\u9fa5]/.test(t)), `audit actions and subjects: ${cells.join(' ')}`);
    await page.goto(`${base}/admin/login-log`);
    await page.locator('[data-test=login-log-page] .el-table__body-wrapper tbody tr').first().waitFor({ timeout: 10000 });
    const log = await page.locator('[data-test=login-log-page]').innerText();
    assert(log.includes('admin'), 'login log does not list admin');
});

test('a password reset forces a change at the next login', async ({ page, base, watch }) => {
    await page.goto(`${base}/admin/users`);
    const row = page.locator('[data-test=users-page] .el-table__body-wrapper tbody tr', { hasText: 'town' }).first();
    await row.waitFor({ timeout: 10000 });
    await row.locator('.el-button', { hasText: '重置密码' }).click();
    await page.locator('.el-message-box input').fill('Temp-pass-2025!');
    await confirmBox(page);
    await page.locator('.el-message', { hasText: '密码已重置' }).waitFor({ timeout: 10000 });
    await logout(page);
    await login(page, base, 'town', 'Temp-pass-2025!');
    await page.waitForURL((u) => u.pathname === '/password');
    await page.locator('[data-test=force-password]').waitFor();
    watch.expect(403, /\/api\/v1\//);
    await page.locator('[data-test=pw-old]').fill('Temp-pass-2025!');
    await page.locator('[data-test=pw-new]').fill('Town-new-pass-2025!');
    await page.locator('[data-test=pw-confirm]').fill('Town-new-pass-2025!');
    await page.locator('[data-test=pw-submit]').click();
    await page.waitForURL((u) => u.pathname === '/', { timeout: 15000 });
    await page.locator('[data-test=home]').waitFor();
    await logout(page);
});

test('a village_worker sees no administration menu and cannot open its pages', async ({ page, base }) => {
    await login(page, base, 'village');
    await page.locator('[data-test=side-menu]').waitFor();
    assert(await page.locator('[data-test=menu-biz]').isVisible(), 'business menu missing');
    assert((await page.locator('[data-test=menu-admin]').count()) === 0, 'village_worker sees the administration menu');
    const menu = await page.locator('[data-test=side-menu]').innerText();
    for (const t of ['用户管理', '角色权限', '审计日志', '系统管理']) assert(!menu.includes(t), `menu shows ${t}`);
    await page.goto(`${base}/admin/users`);
    await page.locator('[data-test=not-found]').waitFor();
    assert((await page.locator('[data-test=not-found]').innerText()).includes('无权访问'), 'no forbidden page');
    await logout(page);
});

test('375 px phone: the menu is a drawer and lists are cards', async ({ page, base }) => {
    await page.setViewportSize({ width: 375, height: 740 });
    await login(page, base, 'admin');
    await page.goto(`${base}/e/volunteers`);
    await tableRows(page);
    await page.locator('[data-test=record-card]').first().waitFor();
    assert(!(await page.locator('.aside').count()), 'the side menu is still shown at 375 px');
    const toggle = page.locator('[data-test=menu-toggle]');
    assert(await toggle.isVisible(), 'no menu button at 375 px');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `the page itself scrolls sideways by ${overflow} px`);
    await shot(page, 'phone-list-volunteers');
    await toggle.click();
    const drawer = page.locator('.menu-drawer [data-test=side-menu]');
    await drawer.waitFor();
    await page.waitForTimeout(400);
    await shot(page, 'phone-menu');
    await drawer.locator('[data-test=menu-e-hazards]').click();
    await page.waitForURL((u) => u.pathname === '/e/hazards');
    await drawer.waitFor({ state: 'hidden' });
    await page.setViewportSize({ width: 1366, height: 768 });
});

test('hazard map: the county admin sees the township boundaries and hazard markers, a marker opens its popup; 行政区域 replaces, deletes and uploads a boundary', async ({ page, base, context, watch }) => {
    await context.clearCookies();
    watch.expect(401, /\/api\/v1\/session$/);
    await login(page, base, 'county');
    const item = page.locator('[data-test=menu-hazard-map]');
    if (!(await item.isVisible())) await page.locator('[data-test=menu-biz] .el-sub-menu__title').click();
    await item.click();
    await page.waitForURL((u) => u.pathname === '/hazards/map');
    await page.locator('[data-test=map] .leaflet-overlay-pane path').first().waitFor({ timeout: 15000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-test=map] path.hazard-marker').length > 0, null, { timeout: 15000 });
    const labels = await page.locator('[data-test=map] .region-label').allInnerTexts();
    assert(labels.length >= 12, `${labels.length} township labels: ${labels.join(' ')}`);
    assert(labels.includes('九龙镇'), `no 九龙镇 among ${labels.join(' ')}`);
    const polygons = await page.locator('[data-test=map] .leaflet-overlay-pane path:not(.hazard-marker)').count();
    assert(polygons >= 13, `${polygons} boundary polygons (county + 12 townships expected)`);
    const markers = await page.locator('[data-test=map] path.hazard-marker').count();
    const total = await page.evaluate(async () => (await (await fetch('/api/v1/hazards/map?region=511621000000')).json()).total);
    assert(markers === total && markers > 0, `${markers} markers, the API has ${total} points`);
    assert((await page.locator('[data-test=map-count]').innerText()).includes(String(total)), 'the count is not shown');
    // No tile server is configured: no tile images are requested.
    assert((await page.locator('[data-test=map] img.leaflet-tile').count()) === 0, 'tiles without a tile server');
    await shot(page, 'hazard-map');
    // Click a marker that is not covered by another one.
    const at = await page.evaluate(() => {
        for (const m of document.querySelectorAll('[data-test=map] path.hazard-marker')) {
            const r = m.getBoundingClientRect();
            const x = r.left + r.width / 2;
            const y = r.top + r.height / 2;
            if (document.elementFromPoint(x, y) === m) return { x, y };
        }
        return null;
    });
    assert(at, 'every marker is covered');
    await page.mouse.click(at.x, at.y);
    const popup = page.locator('[data-test=map] .leaflet-popup .hazard-popup');
    await popup.waitFor({ timeout: 5000 });
    const text = await popup.innerText();
    assert(/状态：/.test(text) && /整改期限：/.test(text), `popup says: ${text}`);
    const href = await popup.locator('[data-test=popup-link]').getAttribute('href');
    assert(/^\/e\/hazards\/\d+$/.test(href), `popup link ${href}`);
    await shot(page, 'hazard-map-popup');
    // The overdue filter redraws only overdue (red) markers.
    const overdue = await page.evaluate(async () => (await (await fetch('/api/v1/hazards/map?region=511621000000&overdue=true')).json()).total);
    await page.locator('[data-test=map-overdue] .el-select__wrapper').click();
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: /^逾期$/ }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=map] path.hazard-marker').length === n, overdue, { timeout: 10000 });

    // 行政区域: replace a township's boundary (confirmed), refuse a Point, delete it (confirmed), upload anew.
    await page.goto(`${base}/admin/regions`);
    await page.locator('[data-test=regions-page] .el-card input').first().fill('苟角镇');
    await page.locator('[data-test=regions-page] .el-tree-node__content', { hasText: '苟角镇' }).first().click();
    const status = page.locator('[data-test=boundary-status]');
    await page.waitForFunction(() => (document.querySelector('[data-test=boundary-status]') || {}).innerText === '已上传', null, { timeout: 10000 });
    const square = (x, y) => ({ type: 'Polygon', coordinates: [[[x, y], [x + 0.05, y], [x + 0.05, y + 0.05], [x, y + 0.05], [x, y]]] });
    const file = (name, obj) => ({ name, mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(obj)) });
    async function upload(obj, confirm) {
        const chooser = page.waitForEvent('filechooser');
        await page.locator('[data-test=boundary-upload]').click();
        if (confirm) {
            await page.locator('.el-message-box', { hasText: '替换' }).waitFor();
            await confirmBox(page);
        }
        // In the whole run Chromium once let a click pass without opening
        // the chooser (not seen when this test runs alone): click again
        // once, without the confirmation, which has been given.
        let fc = await Promise.race([chooser.catch(() => null), page.waitForTimeout(5000).then(() => null)]);
        if (!fc) {
            const again = page.waitForEvent('filechooser', { timeout: 10000 });
            await page.locator('[data-test=boundary-upload]').click();
            if (confirm) {
                await page.locator('.el-message-box', { hasText: '替换' }).waitFor();
                await confirmBox(page);
            }
            fc = await again;
        }
        await fc.setFiles(file('town.geojson', obj));
    }
    await upload(square(106.5, 30.6), true);
    await page.locator('.el-message', { hasText: '已替换' }).waitFor({ timeout: 10000 });
    watch.expect(422, /\/boundary$/);
    await upload({ type: 'Point', coordinates: [106.5, 30.6] }, true);
    await page.locator('.el-message', { hasText: /上传边界失败.*Point/ }).waitFor({ timeout: 10000 });
    await page.locator('[data-test=boundary-delete]').click();
    await page.locator('.el-message-box', { hasText: '删除' }).waitFor();
    await confirmBox(page);
    await page.waitForFunction(() => (document.querySelector('[data-test=boundary-status]') || {}).innerText === '未上传', null, { timeout: 10000 });
    await upload(square(106.52, 30.62), false);
    await page.waitForFunction(() => (document.querySelector('[data-test=boundary-status]') || {}).innerText === '已上传', null, { timeout: 10000 });
    assert((await status.innerText()) === '已上传', 'status after the upload');
    const stored = await page.evaluate(async () => (await (await fetch('/api/v1/regions/511621112000/boundary')).json()).geometry.coordinates[0][0]);
    assert(stored[0] === 106.52 && stored[1] === 30.62, `stored ${stored}`);
});

/* ---------------- the hazard loop ---------------- */

// town's password: the password-reset test above changes it.
async function townPassword(base) {
    for (const pw of ['Town-new-pass-2025!', PASSWORD]) {
        const r = await fetch(`${base}/api/v1/session`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ username: 'town', password: pw }),
        });
        if (r.ok) return pw;
    }
    throw new Error('town cannot log in with either known password');
}

// Logs out through the user menu when someone is logged in.
async function loggedOut(page, base) {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${base}/`);
    await page.locator('[data-test=user-menu], [data-test=login-username]').first().waitFor();
    if (await page.locator('[data-test=user-menu]').count()) await logout(page);
}

const apiGet = (page, p) => page.evaluate(async (u) => (await fetch(u)).json(), p);

async function hazardState(page) {
    await page.locator('[data-test=hazard-detail] [data-test=hazard-state]').waitFor();
    return (await page.locator('[data-test=hazard-detail] [data-test=hazard-state]').innerText()).trim();
}

// Opens the step dialog of an action, lets fill() fill it and submits; waits
// until the dialog closes and the page shows the state stateText.
// Two tiny images, told apart by their hash: the photos of the hazard loop.
// Playwright hands them to the page's <input type=file> like a camera would.
const PNG_RED = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGO4o6HxHwAFPAIsDsQvxQAAAABJRU5ErkJggg==',
    'base64',
);
const PNG_BLUE = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGPQCLjzHwAETAJU7P26YgAAAABJRU5ErkJggg==',
    'base64',
);

async function attachPhoto(scope, name, buffer) {
    const before = await scope.locator('[data-test=photo-upload] .photo-item').count();
    // The name and the declared type are the client's claim; the server sniffs.
    await scope.locator('[data-test=photo-input]').setInputFiles({ name, mimeType: 'image/png', buffer });
    await scope.locator('[data-test=photo-upload] .photo-item').nth(before).waitFor({ timeout: 10000 });
}

// The photo thumbnails under scope have loaded real images from /files/{id}.
async function photosLoaded(page, selector, n) {
    await page.waitForFunction(
        ([sel, want]) => {
            const imgs = [...document.querySelectorAll(`${sel} img`)];
            return imgs.length >= want && imgs.every((i) => i.complete && i.naturalWidth > 0 && /\/api\/v1\/files\/[0-9a-f]{64}$/.test(i.src));
        },
        [selector, n],
        { timeout: 10000 },
    );
}

async function doStep(page, action, stateText, fill) {
    await page.locator(`[data-test=action-${action}]`).click();
    const dialog = page.locator(`.step-dialog[data-action=${action}]`);
    await dialog.waitFor();
    if (fill) await fill(dialog);
    await dialog.locator('[data-test=step-submit]').click();
    if (action === 'accept' || action === 'refuse') {
        await page.locator('.el-message-box').waitFor();
        await confirmBox(page);
    }
    await dialog.waitFor({ state: 'hidden', timeout: 10000 });
    await page.waitForFunction(
        (t) => (document.querySelector('[data-test=hazard-detail] [data-test=hazard-state]')?.innerText || '').trim() === t,
        stateText,
        { timeout: 10000 },
    );
}

async function timelineActions(page) {
    await page.locator('[data-test=timeline]').waitFor();
    return page.locator('[data-test=timeline] [data-test=timeline-item]').evaluateAll((els) => els.map((e) => e.dataset.action));
}

test('hazard loop (acceptance 6): a village worker reports on a phone, town assigns, the unit reports progress, town accepts', async ({
    page,
    base,
    watch,
}) => {
    await loggedOut(page, base);
    const title = `电动自行车楼道充电${Date.now() % 100000}`;

    // The village worker, on a 375 px phone: home → 隐患上报.
    await page.setViewportSize({ width: 375, height: 812 });
    await login(page, base, 'village');
    await page.locator('[data-test=home-report-link]').click();
    await page.waitForURL((u) => u.pathname === '/m/report');
    const form = page.locator('[data-test=mobile-report]');
    await form.locator('[data-field=title] input').fill(title);
    await pickOption(page, form.locator('[data-field=domain]'), '消防安全');
    const village = await apiGet(page, '/api/v1/regions/511621101001');
    assert((await form.locator('[data-field=region] .region-input input').inputValue()) === village.name, 'the region is not the village by default');
    assert((await form.locator('[data-field=grade] .el-select__wrapper').innerText()).includes('一般隐患'), 'grade default');
    await form.locator('[data-field=address] input').fill('3 组 12 号楼道');
    await form.locator('[data-field=description] textarea').fill('楼道内有 3 辆电动自行车停放充电，堵塞疏散通道。');
    assert(await form.locator('input[type=file][capture=environment][accept="image/*"]').count(), 'no camera photo input');
    await attachPhoto(form, 'IMG_0001.jpg', PNG_RED);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `the phone page scrolls sideways by ${overflow} px`);
    const submitBox = await form.locator('[data-test=report-submit]').boundingBox();
    assert(submitBox && submitBox.height >= 44 && submitBox.width >= 300, `the submit button is small: ${JSON.stringify(submitBox)}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'hazard-phone-report');
    await form.locator('[data-test=report-submit]').click();
    await page.locator('[data-test=report-done]').waitFor({ timeout: 10000 });
    const id = (await page.locator('[data-test=report-number]').innerText()).trim();
    assert(/^\d+$/.test(id), `no hazard number shown: ${id}`);
    await shot(page, 'hazard-phone-done');
    let h = await apiGet(page, `/api/v1/hazards/${id}`);
    assert(h.title === title && h.state === 'reported' && h.region === '511621101001' && h.domain === 'fire' && h.grade === 'general',
        `the reported hazard: ${JSON.stringify(h)}`);
    assert(h.created_by === 'village', `created by ${h.created_by}`);
    assert(Array.isArray(h.photos) && h.photos.length === 1 && /^[0-9a-f]{64}$/.test(h.photos[0]), `the hazard's photos: ${JSON.stringify(h.photos)}`);
    const served = await page.evaluate(async (fid) => {
        const r = await fetch(`/api/v1/files/${fid}`);
        return { status: r.status, type: r.headers.get('content-type'), size: (await r.arrayBuffer()).byteLength };
    }, h.photos[0]);
    assert(served.status === 200 && served.type === 'image/png' && served.size === PNG_RED.length, `the photo is served as ${JSON.stringify(served)}`);
    // 再报一条 gives an empty form.
    await page.locator('[data-test=report-again]').click();
    assert((await form.locator('[data-field=title] input').inputValue()) === '', 'the form is not empty again');
    await loggedOut(page, base);

    // town finds it in the list; the row opens the hazard page.
    await login(page, base, 'town', await townPassword(base));
    await page.goto(`${base}/e/hazards`);
    await tableRows(page);
    const rows = await search(page, title);
    assert((await rows.count()) === 1, `town finds ${await rows.count()} rows for ${title}`);
    await rows.first().locator('[data-test=row-detail]').click();
    await page.waitForURL((u) => u.pathname === `/hazards/${id}`);
    assert((await hazardState(page)) === '已登记', 'state before the notice');
    const offered = await page.locator('[data-test^=action-]').evaluateAll((els) => els.map((e) => e.dataset.test));
    assert(JSON.stringify(offered) === JSON.stringify(['action-assign']), `town is offered ${offered}`);

    // The notice: first without the required fields, then complete.
    const unitName = '九龙镇惠民超市';
    watch.expect(422, /\/api\/v1\/hazards\/\d+\/transitions$/);
    await page.locator('[data-test=action-assign]').click();
    const dialog = page.locator('.step-dialog[data-action=assign]');
    await dialog.waitFor();
    await dialog.locator('[data-field=deadline_days] input').fill('5');
    await dialog.locator('[data-field=deadline_days] input').blur();
    await dialog.locator('[data-test=step-submit]').click();
    await dialog.locator('[data-field=measures] .el-form-item__error').waitFor({ timeout: 10000 });
    assert((await dialog.locator('[data-field=responsible_unit] .el-form-item__error').count()) === 1, 'no error under 责任单位');
    assert((await dialog.locator('[data-field=deadline_days] .el-form-item__error').count()) === 0, 'an error under a field the server did not name');
    await pickOption(page, dialog.locator('[data-field=unit_id]'), unitName);
    assert((await dialog.locator('[data-field=responsible_unit] input').inputValue()) === unitName, 'the unit does not fill 责任单位');
    await dialog.locator('[data-field=responsible_person] input').fill('王店长');
    await dialog.locator('[data-field=measures] textarea').fill('设置集中充电点，禁止楼道停放充电');
    await dialog.locator('[data-field=note] textarea').fill('现场核实属实');
    await dialog.locator('[data-test=step-submit]').click();
    await dialog.waitFor({ state: 'hidden', timeout: 10000 });
    await page.waitForFunction(() => document.querySelector('[data-test=hazard-state]')?.innerText.trim() === '已下达整改通知');
    h = await apiGet(page, `/api/v1/hazards/${id}`);
    const unit = (await apiGet(page, `/api/v1/units?q=${encodeURIComponent(unitName)}`)).items.find((u) => u.name === unitName);
    assert(unit && h.unit_id === unit.id, `the hazard's unit is ${h.unit_id}, not the demo unit`);
    assert(h.responsible_unit === unitName && h.responsible_person === '王店长', `responsible: ${h.responsible_unit} ${h.responsible_person}`);
    const due = await apiGet(page, `/api/v1/calendar/add?date=${h.notice_date}&days=5`);
    assert(h.deadline === due.date, `deadline ${h.deadline}, 5 working days after ${h.notice_date} is ${due.date}`);
    assert((await page.locator('[data-test=hazard-deadline]').innerText()).trim() === h.deadline, 'the page shows another deadline');
    assert(await page.locator('[data-test=notice-print]').isVisible(), 'no print button after the notice');
    await loggedOut(page, base);

    // The unit's officer sees it (and only its unit's hazards) and works on it.
    await login(page, base, 'unit');
    assert((await page.locator('[data-test=menu-hazard-board]').count()) === 0, 'the board is in a unit officer\'s menu');
    await page.goto(`${base}/hazards/board`);
    await page.locator('[data-test=hazard-board] .el-empty').waitFor(); // a notice, no 403 from the API
    await page.goto(`${base}/e/hazards`);
    await tableRows(page);
    const urows = await search(page, title);
    assert((await urows.count()) === 1, `the unit officer finds ${await urows.count()} hazards for ${title}`);
    // Its unit's only: this one and the demo's two (货架遮挡安全出口, 灭火器压力不足).
    assert((await apiGet(page, '/api/v1/hazards?page_size=1')).total === 3, 'the unit officer lists other hazards than its unit\'s');
    await urows.first().locator('[data-test=row-detail]').click();
    await page.waitForURL((u) => u.pathname === `/hazards/${id}`);
    assert((await page.locator('[data-test=action-assign]').count()) === 0, 'a unit officer is offered the notice');
    await doStep(page, 'start', '整改中');
    await photosLoaded(page, '[data-test=hazard-photos]', 1); // the village worker's photo, seen by the unit
    await doStep(page, 'report_progress', '整改中', async (d) => {
        await d.locator('[data-field=note] textarea').fill('已设置集中充电点，楼道车辆已清走');
        await attachPhoto(d, 'after.png', PNG_BLUE);
    });
    await doStep(page, 'submit', '待验收', (d) => d.locator('[data-field=note] textarea').fill('整改完成，申请验收'));
    assert((await page.locator('[data-test=action-accept]').count()) === 0, 'a unit officer is offered the acceptance');
    await loggedOut(page, base);

    // town accepts (销号) after the confirmation.
    await login(page, base, 'town', await townPassword(base));
    await page.goto(`${base}/hazards/${id}`);
    assert((await hazardState(page)) === '待验收', 'state before the acceptance');
    await doStep(page, 'accept', '已销号', (d) => d.locator('[data-field=note] textarea').fill('现场验收合格'));
    h = await apiGet(page, `/api/v1/hazards/${id}`);
    assert(h.state === 'closed' && h.closed_on, `after accept: ${h.state} ${h.closed_on}`);
    assert((await page.locator('[data-test^=action-]').count()) === 0, 'actions offered on a closed hazard');
    const hist = (await apiGet(page, `/api/v1/hazards/${id}/history`)).items;
    assert(JSON.stringify(hist.map((x) => x.action)) === JSON.stringify(['assign', 'start', 'report_progress', 'submit', 'accept']), `history: ${hist.map((x) => x.action)}`);
    const progressPhotos = hist.find((x) => x.action === 'report_progress').photos;
    assert(Array.isArray(progressPhotos) && progressPhotos.length === 1 && progressPhotos[0] !== h.photos[0], `the progress step's photos: ${JSON.stringify(progressPhotos)}`);
    await photosLoaded(page, '[data-test=hazard-photos]', 1);
    await photosLoaded(page, '[data-test=timeline]', 1); // the unit's progress photo, seen by town
    await page.waitForFunction((n) => Number(document.querySelector('[data-test=timeline]')?.dataset.steps) === n, hist.length);
    const shown = await timelineActions(page);
    assert(JSON.stringify(shown) === JSON.stringify(['report', 'assign', 'start', 'report_progress', 'submit', 'accept']), `timeline: ${shown}`);
    const tl = await page.locator('[data-test=timeline]').innerText();
    for (const t of ['下达整改通知', '开始整改', '报告进展', '提交验收', '验收销号', '已设置集中充电点，楼道车辆已清走', '现场验收合格', '九龙镇安办', '惠民超市安全员', '5 个工作日'])
        assert(tl.includes(t), `the timeline lacks ${t}`);
    S.hazardId = id;
    await page.setViewportSize({ width: 1366, height: 1500 }); // the sections and the whole timeline
    await page.locator('.el-message').first().waitFor({ state: 'detached', timeout: 6000 }).catch(() => {});
    await shot(page, 'hazard-detail');
    await page.setViewportSize({ width: 1366, height: 768 });
});

test('hazard board: the counts are the API\'s, and a state opens the filtered list', async ({ page, base }) => {
    await loggedOut(page, base);
    await login(page, base, 'town', await townPassword(base));
    await page.goto(`${base}/`);
    await page.locator('[data-test=menu-hazard-board]').click();
    await page.waitForURL((u) => u.pathname === '/hazards/board');
    await page.locator('[data-test=hazard-board][data-loaded=true]').waitFor({ timeout: 15000 });
    const me = (await apiGet(page, '/api/v1/session')).user;
    const by = await page.locator('[data-test=hazard-board]').getAttribute('data-year');
    const b = await apiGet(page, `/api/v1/hazards/board?region=${me.region}&from=${by}-01-01&to=${by}-12-31`);
    for (const [st, n] of Object.entries(b.by_state)) {
        const v = Number((await page.locator(`[data-test=board-state-${st}] [data-test=board-count]`).innerText()).trim());
        assert(v === n, `board shows ${v} ${st}, the API says ${n}`);
    }
    const od = Number((await page.locator('[data-test=board-overdue] [data-test=board-count]').innerText()).trim());
    assert(od === b.overdue.total, `board shows ${od} overdue, the API says ${b.overdue.total}`);
    for (const [k, t] of [['1-5', '1-5'], ['6-20', '6-20'], ['>20', 'gt20']]) {
        const txt = await page.locator(`[data-test=board-band-${t}]`).innerText();
        assert(txt.trim().endsWith(`：${b.overdue[k]}`), `band ${k} shows ${txt}, the API says ${b.overdue[k]}`);
    }
    const rr = await page.locator('[data-test=board-rectification-rate]').innerText();
    assert(rr.includes(`已销号 ${b.closed} / 发现 ${b.found}`), `rectification rate: ${rr}`);
    assert(rr.includes(`${Math.round(b.rectification_rate * 1000) / 10}%`), `rectification percentage: ${rr}`);
    const units = await page.locator('[data-test=board-top-units] .el-table__body-wrapper tbody tr').count();
    assert(units === b.top_units.length, `top units: ${units} rows, the API has ${b.top_units.length}`);
    await page.waitForTimeout(600); // the chart's animation
    await shot(page, 'hazard-board');

    // A state card opens the list with state= and the board's region.
    await page.locator('[data-test=board-state-closed]').click();
    await page.waitForURL((u) => u.pathname === '/e/hazards' && u.searchParams.get('state') === 'closed');
    await tableRows(page);
    await page.waitForFunction(() => document.querySelector('[data-test=table-scroll]')?.dataset.busy === 'false');
    let total = Number((await page.locator('.el-pagination__total').innerText()).replace(/\D/g, ''));
    assert(total === b.by_state.closed, `the closed list has ${total}, the board ${b.by_state.closed}`);
    // A closed hazard belongs to its transitions: no 编辑 or 删除 is offered
    // (the server would answer 409), only a note saying why.
    const closedRows = await tableRows(page);
    assert((await closedRows.first().locator('[data-test=row-edit], [data-test=row-delete]').count()) === 0, 'a closed hazard offers 编辑/删除');
    assert((await closedRows.first().locator('[data-test=row-locked]').count()) === 1, 'a closed hazard does not say why it cannot be edited');
    // The overdue card opens overdue=true.
    await page.goBack();
    await page.locator('[data-test=hazard-board][data-loaded=true]').waitFor({ timeout: 15000 });
    await page.locator('[data-test=board-overdue]').click();
    await page.waitForURL((u) => u.pathname === '/e/hazards' && u.searchParams.get('overdue') === 'true');
    await page.waitForFunction(() => {
        const e = document.querySelector('[data-test=table-scroll]');
        return e && e.dataset.busy === 'false' && Number(e.dataset.loads) > 0;
    });
    total = Number((await page.locator('.el-pagination__total').innerText()).replace(/\D/g, ''));
    assert(total === b.overdue.total, `the overdue list has ${total}, the board ${b.overdue.total}`);
    await loggedOut(page, base);
});

test('hazard step dialogs: a major hazard\'s notice asks for the 五落实 plan; buttons follow state and preconditions', async ({ page, base }) => {
    await loggedOut(page, base);
    await login(page, base, 'county');
    const major = (await apiGet(page, '/api/v1/hazards?state=reported&grade=major&page_size=1')).items[0];
    assert(major, 'the demo county has no reported major hazard');
    await page.goto(`${base}/hazards/${major.id}`);
    assert((await hazardState(page)) === '已登记', 'state of the major hazard');
    await page.locator('[data-test=action-assign]').click();
    const dialog = page.locator('.step-dialog[data-action=assign]');
    await dialog.waitFor();
    for (const f of ['deadline_days', 'unit_id', 'responsible_unit', 'responsible_person', 'measures', 'plan_target', 'plan_measures', 'plan_funds', 'plan_people', 'plan_deadline', 'plan_emergency', 'note', 'photos'])
        assert(await dialog.locator(`[data-field=${f}]`).count(), `the notice dialog lacks ${f}`);
    for (const f of ['plan_target', 'plan_emergency', 'measures'])
        assert(await dialog.locator(`[data-field=${f}]`).evaluate((el) => el.classList.contains('is-required')), `${f} is not marked required`);
    assert((await dialog.locator('[data-field=note]').evaluate((el) => el.classList.contains('is-required'))) === false, 'note is marked required');
    // The unit select offers the units of the hazard's region, no others.
    await dialog.locator('[data-field=unit_id] .el-select__wrapper').click();
    const options = page.locator('.el-select-dropdown:visible .el-select-dropdown__item');
    await options.first().waitFor();
    const units = await apiGet(page, `/api/v1/units?region=${major.region}&page_size=500`);
    assert((await options.count()) === units.total, `the unit select offers ${await options.count()} units, the region has ${units.total}`);
    await page.keyboard.press('Escape');
    await dialog.locator('.el-dialog__footer .el-button', { hasText: '取消' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert((await hazardState(page)) === '已登记', 'cancel changed the state');

    // An open hazard: the county may supervise; list or delist as it stands.
    const open = (await apiGet(page, '/api/v1/hazards?state=rectifying&page_size=50')).items.find((h) => !h.extension_requested_days);
    await page.goto(`${base}/hazards/${open.id}`);
    await hazardState(page);
    const offered = await page.locator('[data-test^=action-]').evaluateAll((els) => els.map((e) => e.dataset.test.slice(7)));
    for (const a of ['report_progress', 'request_extension', 'submit', 'supervise']) assert(offered.includes(a), `county is not offered ${a}: ${offered}`);
    for (const a of ['assign', 'start', 'accept', 'approve_extension', 'refuse_extension']) assert(!offered.includes(a), `county is offered ${a}: ${offered}`);
    assert(offered.includes(open.listed ? 'delist' : 'list_publicly') && !offered.includes(open.listed ? 'list_publicly' : 'delist'), `listing: ${offered}`);
    for (const [action, fields] of [['supervise', ['level', 'letter', 'note', 'photos']], ['request_extension', ['days', 'reason', 'note', 'photos']]]) {
        await page.locator(`[data-test=action-${action}]`).click();
        const d = page.locator(`.step-dialog[data-action=${action}]`);
        await d.waitFor();
        const shown = await d.locator('[data-field]').evaluateAll((els) => els.map((e) => e.dataset.field));
        assert(JSON.stringify(shown) === JSON.stringify(fields), `${action} asks for ${shown}`);
        await d.locator('.el-dialog__footer .el-button', { hasText: '取消' }).click();
        await d.waitFor({ state: 'hidden' });
    }
    await loggedOut(page, base);
});

test('走访任务 (issue 15, acceptance 6): a village worker records a visit to an elderly person living alone on a phone, and the household\'s next visit date moves', async ({ page, base }) => {
    await loggedOut(page, base);
    await page.setViewportSize({ width: 375, height: 812 });
    await login(page, base, 'village');
    // An elderly person living alone in the worker's village: due at once.
    const name = `独居老人${Date.now() % 100000}`;
    const made = await page.evaluate(async (n) => {
        const s = await (await fetch('/api/v1/session')).json();
        const r = await fetch('/api/v1/care_households', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
            body: JSON.stringify({ region: '511621101001', name: n, kind: 'elderly_alone' }),
        });
        return r.json();
    }, name);
    assert(made.id && made.next_visit_on, `the household was not made: ${JSON.stringify(made)}`);
    await page.locator('[data-test=home-visits-link]').click();
    await page.waitForURL((u) => u.pathname === '/m/visits');
    await page.locator('[data-test=visit-lists][data-loaded=true]').waitFor();
    assert((await page.locator('[data-test=mobile-visits] [data-test=demo-mark]').innerText()).includes('演示数据'), 'the demo database is not marked 演示数据');
    const card = page.locator(`[data-test=visit-household][data-id="${made.id}"]`);
    await card.waitFor();
    assert((await card.innerText()).includes('独居老人'), 'the kind is not shown as its label');
    assert((await card.locator('[data-test=household-next]').innerText()).trim() === made.next_visit_on, 'the due date');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `the phone page scrolls sideways by ${overflow} px`);
    await card.locator('[data-test=visit-record]').click();
    const form = page.locator('[data-test=visit-form]');
    await form.waitFor();
    await pickOption(page, form.locator('[data-field=help_given]'), '慰问物资');
    await form.locator('[data-field=help_value] input').fill('200');
    await form.locator('[data-field=note] textarea').fill('送去米油，身体尚好');
    const box = await form.locator('[data-test=visit-submit]').boundingBox();
    assert(box && box.height >= 44 && box.width >= 300, `the save button is small: ${JSON.stringify(box)}`);
    await shot(page, 'visit-phone-form');
    await form.locator('[data-test=visit-submit]').click();
    await page.locator('[data-test=visit-saved]').waitFor({ timeout: 10000 });
    const today = await page.evaluate(() => {
        const d = new Date();
        return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    const want = new Date(Date.parse(`${today}T00:00:00Z`) + 30 * 86400e3).toISOString().slice(0, 10);
    const next = (await page.locator('[data-test=visit-next]').innerText()).trim();
    assert(next === want, `the next visit date is ${next}, not ${want} (monthly for the elderly living alone)`);
    const after = await apiGet(page, `/api/v1/care_households/${made.id}`);
    assert(after.next_visit_on === want && after.last_visit_on === today, `the household after the visit: ${JSON.stringify(after)}`);
    const visits = await apiGet(page, `/api/v1/care_visits?household_id=${made.id}`);
    assert(visits.total === 1 && visits.items[0].help_given === 'goods' && visits.items[0].help_value === 200, `the visit stored: ${JSON.stringify(visits)}`);
    await shot(page, 'visit-phone-saved');
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${base}/`);
    await page.locator('[data-test=demo-mark]').waitFor({ timeout: 10000 });
    assert((await page.locator('[data-test=demo-mark]').innerText()).includes('演示数据'), 'the desktop console does not mark the demo database');
    await logout(page);
});

test('users: admin makes a unit officer of one unit (所属单位), and can clear it again', async ({ page, base }) => {
    await loggedOut(page, base);
    await login(page, base, 'admin');
    await page.goto(`${base}/admin/users`);
    await page.locator('[data-test=users-page] .el-table__body-wrapper tbody tr').first().waitFor({ timeout: 10000 });
    await page.locator('[data-test=user-create]').click();
    const dlg = page.locator('.el-dialog:visible');
    await dlg.waitFor();
    const item = (label) => dlg.locator('.el-form-item', { has: page.locator('.el-form-item__label', { hasText: label }) });
    assert((await dlg.locator('[data-field=unit_id]').count()) === 0, 'a unit is asked for before the role is a unit officer');
    const username = `shop${Date.now() % 100000}`;
    await item('登录名').locator('input').fill(username);
    await item('姓名').locator('input').fill('超市安全员');
    await pickOption(page, item('角色'), '单位安全员');
    await item('初始密码').locator('input').fill('Unit-Officer-2025!');
    const unitItem = dlg.locator('[data-field=unit_id]');
    await unitItem.locator('.el-select__wrapper').click();
    await unitItem.locator('input').fill('惠民超市');
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '九龙镇惠民超市' }).first().click();
    // The pick is shown before saving (a save at once once stored no unit).
    await unitItem.locator('.el-select__selection', { hasText: '九龙镇惠民超市' }).waitFor({ timeout: 10000 });
    await dlg.locator('.el-dialog__footer .el-button--primary').click();
    await dlg.waitFor({ state: 'hidden', timeout: 10000 });
    const unit = (await apiGet(page, `/api/v1/units?q=${encodeURIComponent('九龙镇惠民超市')}`)).items.find((u) => u.name === '九龙镇惠民超市');
    let u = (await apiGet(page, `/api/v1/users?q=${username}`)).items.find((x) => x.username === username);
    assert(u && u.role === 'unit_officer' && u.unit_id === unit.id, `the new user: ${JSON.stringify(u)}`);

    // Editing shows the unit by name; clearing it stores null.
    await page.locator('[data-test=users-page] .el-table__body-wrapper tbody tr', { hasText: username }).locator('.el-button', { hasText: '编辑' }).click();
    await dlg.waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('.el-dialog [data-field=unit_id] .el-select__selected-item')].some((e) => e.innerText.includes('九龙镇惠民超市')), null, { timeout: 10000 });
    await dlg.locator('[data-field=unit_id] .el-select__wrapper').hover();
    await dlg.locator('[data-field=unit_id] .el-select__clear').click();
    await dlg.locator('.el-dialog__footer .el-button--primary').click();
    await dlg.waitFor({ state: 'hidden', timeout: 10000 });
    u = (await apiGet(page, `/api/v1/users?q=${username}`)).items.find((x) => x.username === username);
    assert(u && (u.unit_id === null || u.unit_id === undefined), `after clearing: ${JSON.stringify(u)}`);
});

// Waits until the statistics page has finished a load after `before` loads.
async function statsSettled(page, before = 0) {
    await page.waitForFunction(
        (b) => {
            const e = document.querySelector('[data-test=stats-page]');
            return e && e.dataset.busy === 'false' && Number(e.dataset.loads) > b;
        },
        before,
        { timeout: 20000 },
    );
    return page.locator('[data-test=stats-page]');
}

const statsLoads = async (page) => Number((await page.locator('[data-test=stats-page]').getAttribute('data-loads')) || 0);
const kpiNumber = async (page, key) =>
    Number((await page.locator(`[data-test=kpi-${key}] [data-test=kpi-value]`).innerText()).replace(/[^\d.]/g, ''));

test('统计分析: the county admin\'s 2025 KPIs are the API\'s, the card and column labels /stats/figures\'; a township row drills down, 返回上级 goes back; Excel export', async ({ page, base, tmpdir }) => {
    await loggedOut(page, base);
    await login(page, base, 'county');
    const item = page.locator('[data-test=menu-stats]');
    if (!(await item.isVisible())) await page.locator('[data-test=menu-biz] .el-sub-menu__title').click();
    await item.click();
    await page.waitForURL((u) => u.pathname === '/stats');
    const sp = await statsSettled(page);
    const me = (await apiGet(page, '/api/v1/session')).user;
    assert((await sp.getAttribute('data-region')) === me.region, `the page starts at ${await sp.getAttribute('data-region')}, not the user's region ${me.region}`);
    const opening = await apiGet(page, `/api/v1/stats/years?region=${me.region}`);
    assert(Number(await sp.getAttribute('data-year')) === opening.default, 'the page does not start at the year GET /stats/years gives');

    // Year 2025 (the demo data covers 2024–2025).
    let before = await statsLoads(page);
    const wasYear = await sp.getAttribute('data-year'); // the default may be 2025 already
    await pickOption(page, page.locator('[data-test=stats-year]'), '2025 年');
    if (wasYear !== '2025') await statsSettled(page, before);
    assert((await sp.getAttribute('data-year')) === '2025', 'year 2025 not loaded');
    await page.waitForURL((u) => u.searchParams.get('year') === '2025');
    const st = await apiGet(page, `/api/v1/stats?region=${me.region}&year=2025`);
    assert(st.hazards && st.hazards.found > 0, `the demo county has no 2025 hazards: ${JSON.stringify(st.hazards)}`);
    assert((await kpiNumber(page, 'hazards-found')) === st.hazards.found, `隐患发现 shows ${await kpiNumber(page, 'hazards-found')}, the API says ${st.hazards.found}`);
    assert((await kpiNumber(page, 'hazards-closed')) === st.hazards.closed, '整改销号 differs from the API');
    assert((await kpiNumber(page, 'overdue')) === st.hazards.overdue_at_end, '逾期未改 differs from the API');
    assert((await kpiNumber(page, 'activities')) === st.activities.count, '宣传培训活动 differs from the API');
    assert((await kpiNumber(page, 'participants')) === st.activities.participants, '参与人次 differs from the API');
    const rate = (await page.locator('[data-test=kpi-rectification-rate] [data-test=kpi-value]').innerText()).trim();
    assert(rate === `${(Math.round(st.hazards.rectification_rate * 1000) / 10).toFixed(1)}%`, `整改率 shows ${rate} for ${st.hazards.rectification_rate}`);
    const pp = st.activities.participants_prev;
    const yy = (await page.locator('[data-test=kpi-participants] [data-test=kpi-yoy]').innerText()).trim();
    if (pp > 0 && pp !== st.activities.participants) {
        const want = `${st.activities.participants > pp ? '↑' : '↓'}${(Math.round(Math.abs((st.activities.participants - pp) / pp) * 1000) / 10).toFixed(1)}%`;
        assert(yy === want, `参与人次 同比 shows ${yy}, expected ${want}`);
    }
    for (const c of ['month', 'grade', 'domain']) assert(await page.locator(`[data-test=stats-chart-${c}] canvas`).count(), `the ${c} chart is not drawn`);
    const rows = page.locator('[data-test=stats-children] .el-table__body-wrapper tbody tr');
    assert((await rows.count()) === st.children.length, `下级区域 has ${await rows.count()} rows, the API ${st.children.length}`);

    // The labels are the server's (GET /stats/figures, the Excel export's and
    // the work summary's): each card's label is its figure's, and the children
    // table's headers are the declared columns of the answer's sections.
    const figs = await apiGet(page, '/api/v1/stats/figures');
    const figure = (sec, key) => ((figs.sections.find((x) => x.key === sec) || { figures: [] }).figures || []).find((f) => f.key === key);
    const cards = page.locator('[data-test=stats-kpis] [data-figure]');
    assert((await cards.count()) >= 4, `only ${await cards.count()} KPI cards`);
    for (const card of await cards.all()) {
        const [sec, key] = (await card.getAttribute('data-figure')).split('.');
        const f = figure(sec, key);
        const shown = (await card.locator('[data-test=kpi-label]').innerText()).trim();
        assert(f && shown === f.label, `the KPI card ${sec}.${key} says ${JSON.stringify(shown)}, /stats/figures ${JSON.stringify(f && f.label)}`);
    }
    const heads = (await page.locator('[data-test=stats-children] .el-table__header-wrapper th .cell').allInnerTexts()).map((t) => t.trim()).slice(2);
    const wantHeads = figs.columns.filter((c) => st.sections.includes(c.section) && st[c.section]).map((c) => c.label);
    assert(wantHeads.length > 0 && JSON.stringify(heads) === JSON.stringify(wantHeads), `下级区域 headers ${JSON.stringify(heads)}, /stats/figures ${JSON.stringify(wantHeads)}`);
    await page.waitForTimeout(600); // the charts' animation
    await shot(page, 'stats');

    // A sortable column: the found hazards descending puts the largest first.
    const foundCol = figs.columns.find((c) => c.child_key === 'hazards_found');
    assert(foundCol, `/stats/figures declares no hazards_found column: ${JSON.stringify(figs.columns)}`);
    const sortTh = page.locator('[data-test=stats-children] .el-table__header-wrapper th').filter({ has: page.getByText(foundCol.label, { exact: true }) });
    await sortTh.locator('.caret-wrapper .descending').click();
    const top = Math.max(...st.children.map((c) => c.hazards_found));
    const firstRow = await rows.first().innerText();
    assert(firstRow.split(/\s+/).includes(String(top)), `sorted descending, the first row is ${firstRow}, the largest count ${top}`);

    // Drill into a township: the region changes, the figures are the township's.
    const town = st.children.find((c) => c.level === 'township') || st.children[0];
    before = await statsLoads(page);
    await rows.filter({ hasText: town.name }).first().locator('td').nth(3).click();
    await statsSettled(page, before);
    assert((await sp.getAttribute('data-region')) === town.code, `after the drill-down the page shows ${await sp.getAttribute('data-region')}, not ${town.code}`);
    assert(new URL(page.url()).searchParams.get('region') === town.code, `the URL does not carry the township: ${page.url()}`);
    assert((await page.locator('[data-test=stats-region-name]').innerText()).trim() === town.name, 'the breadcrumb does not end at the township');
    assert((await kpiNumber(page, 'hazards-found')) === town.hazards_found, `the township's 隐患发现 ${await kpiNumber(page, 'hazards-found')}, its row said ${town.hazards_found}`);
    await shot(page, 'stats-township');
    before = await statsLoads(page);
    await page.locator('[data-test=stats-up]').click();
    await statsSettled(page, before);
    assert((await sp.getAttribute('data-region')) === me.region, '返回上级 did not go back to the county');
    assert((await kpiNumber(page, 'hazards-found')) === st.hazards.found, 'back at the county, 隐患发现 differs');

    // 导出 Excel: the same region and year.
    let exportUrl = '';
    const onReq = (r) => {
        if (r.url().includes('/stats/export.xlsx')) exportUrl = r.url();
    };
    page.on('request', onReq);
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20000 }), page.locator('[data-test=stats-export]').click()]);
    page.off('request', onReq);
    const file = path.join(tmpdir, 'stats.xlsx');
    await dl.saveAs(file);
    assert(dl.suggestedFilename().endsWith('.xlsx'), `export file name ${dl.suggestedFilename()}`);
    assert(fs.readFileSync(file).subarray(0, 2).toString() === 'PK', 'the export is not an xlsx file');
    const eu = new URL(exportUrl);
    assert(eu.searchParams.get('region') === me.region && eu.searchParams.get('year') === '2025', `export query: ${exportUrl}`);
});

test('工作总结: the 2025 preview of the county (title, 三、 heading, a table) and the Word download', async ({ page, base, tmpdir }) => {
    await loggedOut(page, base);
    await login(page, base, 'county');
    const item = page.locator('[data-test=menu-report-work-summary]');
    if (!(await item.isVisible())) await page.locator('[data-test=menu-biz] .el-sub-menu__title').click();
    await item.click();
    await page.waitForURL((u) => u.pathname === '/reports/work-summary');
    const me = (await apiGet(page, '/api/v1/session')).user;
    await pickOption(page, page.locator('[data-test=summary-year]'), '2025 年');
    await page.locator('[data-test=summary-generate]').click();
    const ws = page.locator('[data-test=work-summary][data-loaded=true][data-busy=false]');
    await ws.waitFor({ timeout: 30000 });
    const doc = await apiGet(page, `/api/v1/reports/work-summary?region=${me.region}&year=2025&format=json`);
    const title = (await page.locator('[data-test=doc-title]').first().innerText()).trim();
    const want = (doc.blocks.find((b) => b.kind === 'title') || { text: doc.title }).text;
    assert(title && title === want.trim(), `the preview's title is ${JSON.stringify(title)}, the API's ${JSON.stringify(want)}`);
    const headings = await page.locator('[data-test=doc-heading]').allInnerTexts();
    assert(headings.some((h) => h.trim().startsWith('三、')), `no 三、 heading: ${headings.join(' | ')}`);
    const tables = page.locator('[data-test=summary-sheet] table[data-test=doc-table]');
    assert((await tables.count()) >= 1, 'no table in the preview');
    assert((await tables.first().locator('thead th').count()) >= 2, 'the table has no header row');
    assert((await tables.first().locator('tbody tr').count()) >= 1, 'the table has no body rows');
    assert((await page.locator('[data-test=summary-sheet] script, [data-test=summary-sheet] img').count()) === 0, 'markup in the preview');
    await shot(page, 'work-summary');

    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), page.locator('[data-test=summary-download-docx]').click()]);
    const file = path.join(tmpdir, 'summary.docx');
    await dl.saveAs(file);
    assert(dl.suggestedFilename().endsWith('.docx'), `the Word download is named ${dl.suggestedFilename()}`);
    const bytes = fs.readFileSync(file);
    assert(bytes.length > 1000 && bytes.subarray(0, 2).toString() === 'PK', 'the Word download is not a docx (zip) file');
    await page.locator('[data-test=summary-download-docx] .is-loading').waitFor({ state: 'detached' }).catch(() => {});
    await loggedOut(page, base);
});

test('工作总结 editor: the county adds a paragraph to a chapter, edits a generated one (figures tied, 手填 marked), reverts and deletes with confirmation; the campaign selector writes 无毒社区', async ({ page, base }) => {
    await loggedOut(page, base);
    await login(page, base, 'county');
    await page.goto(`${base}/reports/work-summary?year=2025`);
    const ws = page.locator('[data-test=work-summary][data-loaded=true][data-busy=false]');
    await page.locator('[data-test=summary-generate]').click();
    await ws.waitFor({ timeout: 30000 });
    const sheet = page.locator('[data-test=summary-sheet]');
    assert((await sheet.locator('[data-test=chapter-add]').count()) === 0, 'a plain preview until 编辑段落 is on');
    await page.locator('[data-test=summary-edit-mode]').click();

    // Add a paragraph at the end of 一、.
    const added = '县委主要领导多次听取创建工作汇报，全年召开推进会4次。';
    await sheet.locator('[data-test=chapter-add][data-chapter=organisation]').click();
    const dlg = page.locator('.el-dialog:visible');
    await dlg.locator('textarea[data-test=para-text], [data-test=para-text] textarea').fill(added);
    await dlg.locator('[data-test=para-save]').click();
    const addedPara = sheet.locator('[data-test=para-add]', { hasText: '全年召开推进会' });
    await addedPara.waitFor({ timeout: 30000 });
    assert((await addedPara.locator('[data-test=fig-hand]').innerText()).startsWith('4'), 'the 4 of an added paragraph is marked 手填');

    // Edit the volunteers' paragraph: its figures stay tied, a new number is typed by hand.
    const vol = sheet.locator('[data-test=para]', { hasText: '登记志愿者' }).first();
    const key = await vol.getAttribute('data-key');
    const text = (await vol.locator('.doc-para').innerText()).trim();
    await vol.locator('[data-test=para-edit]').click();
    await dlg.locator('textarea[data-test=para-text], [data-test=para-text] textarea').fill(`${text}其中党员骨干17人。`);
    await dlg.locator('[data-test=para-save]').click();
    const edited = sheet.locator(`[data-test=para-edit][data-key="${key}"]`);
    await edited.waitFor({ timeout: 30000 });
    assert((await edited.locator('[data-test=fig-tied]').count()) >= 2, 'the generated figures stay tied');
    const hand = await edited.locator('[data-test=fig-hand]').allInnerTexts();
    assert(hand.length === 1 && hand[0].startsWith('17'), `17 is typed by hand: ${hand.join(' | ')}`);
    await shot(page, 'work-summary-editor');

    // Revert the edit and delete the paragraph, each after a confirmation.
    await edited.locator('[data-test=para-revert]').click();
    await confirmBox(page);
    await sheet.locator(`[data-test=para][data-key="${key}"]`).waitFor({ timeout: 30000 });
    await addedPara.locator('[data-test=para-delete]').click();
    await confirmBox(page);
    await addedPara.waitFor({ state: 'detached', timeout: 30000 });
    const doc = await apiGet(page, '/api/v1/reports/work-summary?year=2025&format=json');
    assert(!doc.blocks.some((b) => b.edit), 'no edit left');

    // The campaign selector: 无毒社区's own title.
    await pickOption(page, page.locator('[data-test=summary-campaign]'), '无毒社区');
    await page.locator('[data-test=summary-generate]').click();
    await ws.waitFor({ timeout: 30000 });
    const title = (await page.locator('[data-test=doc-title]').first().innerText()).trim();
    assert(title.endsWith('无毒社区创建工作总结'), `the title is ${title}`);
    assert(new URL(page.url()).searchParams.get('campaign') === 'drug_free', 'the campaign is in the URL');
    await loggedOut(page, base);
});

// Waits until 事故伤害统计 has finished a load after `before` loads.
async function injurySettled(page, before = 0) {
    await page.waitForFunction(
        (b) => {
            const e = document.querySelector('[data-test=injury-stats]');
            return e && e.dataset.busy === 'false' && Number(e.dataset.loads) > b;
        },
        before,
        { timeout: 20000 },
    );
    return page.locator('[data-test=injury-stats]');
}
const injuryLoads = async (page) => Number((await page.locator('[data-test=injury-stats]').getAttribute('data-loads')) || 0);
const digits = (t) => Number(String(t).replace(/[^\d.]/g, ''));

// A block's table: its rows as [label, count, prev] and the 合计 row.
async function blockTable(page, id) {
    const trs = page.locator(`[data-test=block-${id}] [data-test=block-table] .el-table__body-wrapper tbody tr`);
    const rows = [];
    for (const tr of await trs.all()) {
        const label = (await tr.locator('td').first().innerText()).trim();
        const count = digits(await tr.locator('[data-col=count]').innerText());
        const prev = digits(await tr.locator('[data-col=prev]').innerText());
        const yoy = (await tr.locator('[data-col=yoy]').innerText()).trim();
        rows.push({ label, count, prev, yoy });
    }
    const heads = (await page.locator(`[data-test=block-${id}] [data-test=block-table] .el-table__header-wrapper th .cell`).allInnerTexts()).map((t) => t.trim());
    return { rows: rows.slice(0, -1), total: rows[rows.length - 1], heads, title: (await page.locator(`[data-test=block-${id}] [data-test=block-title]`).innerText()).trim() };
}

test('事故伤害统计: the home page\'s figures with their period; the county\'s 2025 cards and tables are the API\'s, 合计 rows sum the rows, labels /stats/figures\'; 新增, 无基数; Excel export', async ({ page, base, tmpdir }) => {
    await loggedOut(page, base);
    await login(page, base, 'county');
    const me = (await apiGet(page, '/api/v1/session')).user;
    const figs = await apiGet(page, '/api/v1/stats/figures');
    const section = (sec) => figs.sections.find((x) => x.key === sec) || { figures: [], breakdowns: [] };
    const figure = (sec, key) => section(sec).figures.find((f) => f.key === key);
    const breakdown = (sec, key) => section(sec).breakdowns.find((b) => b.key === key);

    // Home: this year's main figures of the user's region, with the period.
    const y = new Date().getFullYear();
    const home = page.locator('[data-test=home-figures][data-loaded=true]');
    await home.waitFor({ timeout: 15000 });
    const now = await apiGet(page, `/api/v1/stats?region=${me.region}&year=${y}`);
    const period = (await page.locator('[data-test=home-period]').innerText()).trim();
    assert(period.includes(`统计期间 ${now.from} 至 ${now.to}`), `the home page's period says ${JSON.stringify(period)}`);
    const homeFigs = home.locator('[data-figure]');
    assert((await homeFigs.count()) === 4, `the home page shows ${await homeFigs.count()} figures`);
    for (const el of await homeFigs.all()) {
        const [sec, key] = (await el.getAttribute('data-figure')).split('.');
        const f = figure(sec, key);
        assert(f && (await el.locator('[data-test=fig-label]').innerText()).trim() === f.label, `home figure ${sec}.${key} is not labelled ${f && f.label}`);
        assert(digits(await el.locator('[data-test=fig-value]').innerText()) === now[sec][key], `home figure ${sec}.${key} differs from the API's ${now[sec][key]}`);
        assert(digits(await el.locator('[data-test=fig-prev]').innerText()) === now[sec][f.prev_key], `home figure ${sec}.${key}'s last year differs`);
    }
    await shot(page, 'home-figures');

    // The page from the menu.
    const item = page.locator('[data-test=menu-stats-injuries]');
    if (!(await item.isVisible())) await page.locator('[data-test=menu-biz] .el-sub-menu__title').click();
    await item.click();
    await page.waitForURL((u) => u.pathname === '/stats/injuries');
    const sp = await injurySettled(page);
    assert((await sp.getAttribute('data-region')) === me.region, 'the page does not start at the user\'s region');
    let before = await injuryLoads(page);
    const wasYear = await sp.getAttribute('data-year'); // the shared year (期间) may be 2025 already
    await pickOption(page, page.locator('[data-test=injury-year]'), '2025 年');
    if (wasYear !== '2025') await injurySettled(page, before);
    assert((await sp.getAttribute('data-year')) === '2025', 'year 2025 not loaded');
    const st = await apiGet(page, `/api/v1/stats?region=${me.region}&year=2025`);
    assert(st.incidents && st.incidents.total > 0 && st.injuries && st.injuries.total > 0, 'the demo county has no 2025 incidents or injuries');
    const per = (await page.locator('[data-test=injury-period]').innerText()).replace(/\s+/g, ' ');
    assert(per.includes('统计期间 2025-01-01 至 2025-12-31'), `the period says ${per}`);
    const pop = st.region.populations && st.region.populations['2025'];
    assert(pop && per.includes(pop.toLocaleString('zh-CN')), `the population used (${pop}) is not stated: ${per}`);

    // The cards: labels and values.
    const cards = page.locator('[data-test=injury-kpis] [data-figure]');
    assert((await cards.count()) >= 6, `only ${await cards.count()} cards`);
    for (const card of await cards.all()) {
        const [sec, key] = (await card.getAttribute('data-figure')).split('.');
        const f = figure(sec, key);
        assert(f && (await card.locator('[data-test=kpi-label]').innerText()).trim() === f.label, `card ${sec}.${key} is not labelled ${f && f.label}`);
        const shown = digits(await card.locator('[data-test=kpi-value]').innerText());
        assert(Math.abs(shown - st[sec][key]) < 0.006, `card ${sec}.${key} shows ${shown}, the API ${st[sec][key]}`);
        const pct = st[sec][`${key}_change_pct`];
        if (typeof pct === 'number' && pct !== 0) {
            const yy = (await card.locator('[data-test=kpi-yoy]').innerText()).trim();
            assert(yy === `${pct > 0 ? '↑' : '↓'}${Math.abs(pct).toFixed(1)}%`, `card ${sec}.${key}'s 同比 ${yy}, the API ${pct}`);
        }
    }

    // The tables: the rows are the API's, the 合计 row their sum (and the
    // section's total), titles and the count column's label the declared ones.
    const checks = [
        ['incidents-month', 'incidents', 'by_month', st.incidents.by_month.map((n, i) => [`${i + 1}月`, n, st.incidents.by_month_prev[i]])],
        ['incidents-kind', 'incidents', 'by_kind', st.incidents.by_kind.map((x) => [x.label, x.count, x.count_prev])],
        ['injuries-month', 'injuries', 'by_month', st.injuries.by_month.map((n, i) => [`${i + 1}月`, n, st.injuries.by_month_prev[i]])],
        ['injuries-cause', 'injuries', 'by_cause', st.injuries.by_cause.map((x) => [x.label, x.count, x.count_prev])],
    ];
    for (const [id, sec, bd, want] of checks) {
        const t = await blockTable(page, id);
        assert(t.title === breakdown(sec, bd).label, `block ${id} is titled ${t.title}, /stats/figures ${breakdown(sec, bd).label}`);
        assert(t.heads[1].startsWith(figure(sec, 'total').label), `block ${id}'s count column is ${t.heads[1]}`);
        assert(JSON.stringify(t.rows.map((r) => [r.label, r.count, r.prev])) === JSON.stringify(want), `block ${id}'s rows ${JSON.stringify(t.rows)} differ from the API's ${JSON.stringify(want)}`);
        assert(t.total.label === '合计', `block ${id}'s last row is ${t.total.label}`);
        const sum = t.rows.reduce((s, r) => s + r.count, 0);
        const sumPrev = t.rows.reduce((s, r) => s + r.prev, 0);
        assert(t.total.count === sum && t.total.prev === sumPrev, `block ${id}'s 合计 ${t.total.count}/${t.total.prev}, the rows sum to ${sum}/${sumPrev}`);
        assert(sum === st[sec].total && sumPrev === st[sec].total_prev, `block ${id}'s 合计 ${sum} is not the section's total ${st[sec].total}`);
        assert(await page.locator(`[data-test=chart-${id}] canvas`).count(), `block ${id}'s chart is not drawn`);
    }
    for (const id of ['incidents-grade', 'injuries-place']) assert(await page.locator(`[data-test=chart-${id}] canvas`).count(), `the ${id} chart is not drawn`);
    await page.waitForTimeout(600);
    await shot(page, 'injury-stats');

    // 2024 against a year without records: 新增, 无基数, never a division by zero.
    before = await injuryLoads(page);
    await pickOption(page, page.locator('[data-test=injury-year]'), '2024 年');
    await injurySettled(page, before);
    const st24 = await apiGet(page, `/api/v1/stats?region=${me.region}&year=2024`);
    if (st24.incidents.total > 0 && st24.incidents.total_prev === 0) {
        const yy = (await page.locator('[data-test=injury-kpis] [data-figure="incidents.total"] [data-test=kpi-yoy]').innerText()).trim();
        assert(yy === '新增, 无基数', `2024 against an empty 2023 says ${yy}`);
        const t = await blockTable(page, 'incidents-kind');
        assert(t.rows.every((r) => r.count === 0 || r.yoy === '新增, 无基数'), `a 2024 row against nothing: ${JSON.stringify(t.rows)}`);
    }
    assert(!(await page.locator('[data-test=injury-stats]').innerText()).match(/NaN|Infinity|undefined|null/), 'NaN, Infinity or a raw value on the page');

    // 导出 Excel: the server's workbook of the same region and year.
    let exportUrl = '';
    const onReq = (r) => {
        if (r.url().includes('/stats/export.xlsx')) exportUrl = r.url();
    };
    page.on('request', onReq);
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20000 }), page.locator('[data-test=injury-export]').click()]);
    page.off('request', onReq);
    const file = path.join(tmpdir, 'injury-stats.xlsx');
    await dl.saveAs(file);
    assert(fs.readFileSync(file).subarray(0, 2).toString() === 'PK', 'the export is not an xlsx file');
    const eu = new URL(exportUrl);
    assert(eu.searchParams.get('region') === me.region && eu.searchParams.get('year') === '2024', `export query: ${exportUrl}`);
});

test('伤害病例: the card-like form in its sections; a traffic cause at home is refused under the fields; corrected, the case is saved', async ({ page, base, watch }) => {
    await loggedOut(page, base);
    await login(page, base, 'county');
    await page.goto(`${base}/e/injury_cases`);
    await tableRows(page);
    const total0 = (await apiGet(page, '/api/v1/injury_cases?page_size=1')).total;
    await page.locator('[data-test=create-btn]').click();
    const dialog = page.locator('.entity-dialog');
    await dialog.waitFor();
    const groups = await dialog.locator('[data-group]').evaluateAll((els) => els.map((e) => e.dataset.group));
    assert(JSON.stringify(groups) === JSON.stringify(['基本情况', '伤害事件', '伤害临床', '其他']), `the form's sections: ${JSON.stringify(groups)}`);
    for (const [g, f] of [['基本情况', 'sex'], ['基本情况', 'age'], ['伤害事件', 'cause'], ['伤害事件', 'place'], ['伤害临床', 'severity'], ['其他', 'disabled']])
        assert(await dialog.locator(`[data-group="${g}"] [data-field=${f}]`).count(), `${f} is not in ${g}`);
    const meta = await apiGet(page, '/api/v1/meta/entities');
    const ent = (meta.entities || meta).find ? (meta.entities || meta).find((e) => e.name === 'injury_cases') : null;
    if (ent) {
        const want = ent.fields.find((f) => f.name === 'cause').label;
        const label = (await dialog.locator('[data-field=cause] .el-form-item__label').innerText()).trim();
        assert(label === want, `the cause is labelled ${label}, the metadata ${want}`);
    }

    const day = `${new Date().getFullYear()}-01-15`;
    const dateInput = dialog.locator('[data-field=injured_on] input');
    await dateInput.click();
    await dateInput.fill(day.replace(/^(\d+)-(\d+)-(\d+)$/, '$1年$2月$3日'));
    await dateInput.press('Enter');
    await dialog.locator('.form-group-title', { hasText: '基本情况' }).click(); // closes the date panel
    await pickRegion(page, dialog.locator('[data-field=region]'), '九龙镇');
    await pickOption(page, dialog.locator('[data-field=sex]'), '女');
    await dialog.locator('[data-field=age] input').fill('67');
    await dialog.locator('[data-field=age] input').press('Tab');
    await pickOption(page, dialog.locator('[data-field=cause]'), '机动车车祸');
    await pickOption(page, dialog.locator('[data-field=place]'), '家中');
    await pickOption(page, dialog.locator('[data-field=intent]'), '非故意（意外）');

    watch.expect(422, /\/api\/v1\/injury_cases$/);
    await dialog.locator('[data-test=dialog-save]').click();
    const placeErr = dialog.locator('[data-field=place] .el-form-item__error');
    await placeErr.waitFor({ timeout: 10000 });
    const pe = (await placeErr.innerText()).trim();
    assert(pe.includes('与伤害原因不符') && pe.includes('公路/街道'), `under 伤害发生地点: ${pe}`);
    assert(!/代码|\b5\b/.test(pe), `the message shows a raw code: ${pe}`);
    assert(await dialog.locator('[data-field=cause] .el-form-item__error').count(), 'no message under 伤害原因');
    assert((await dialog.locator('[data-field=sex] .el-form-item__error').count()) === 0, 'a message under a field the server did not name');
    assert(await dialog.locator('[data-field=injured_on] input').inputValue(), 'the date was not filled');
    await shot(page, 'injury-card-422');

    await pickOption(page, dialog.locator('[data-field=place]'), '公路/街道');
    await dialog.locator('[data-test=dialog-save]').click();
    await dialog.waitFor({ state: 'hidden', timeout: 10000 });
    const total1 = (await apiGet(page, '/api/v1/injury_cases?page_size=1')).total;
    assert(total1 === total0 + 1, `the list total went from ${total0} to ${total1}`);
});

test('现场评分: a reviewer scores three items, the network drops before the third; after reconnect all three are saved', async ({ page, base, context }) => {
    await context.clearCookies();
    await login(page, base, 'reviewer');
    const evs = await apiGet(page, '/api/v1/evaluations?page_size=5');
    assert(evs.items.length > 0, 'the demo evaluation');
    const ev = evs.items[0];
    await page.goto(`${base}/evaluations/score`);
    await page.locator('[data-test=score-evaluations] .el-button').first().click();
    await page.waitForURL((u) => u.pathname === `/evaluations/${ev.id}/score`);
    const title = page.locator('[data-test=score-item-title]');
    const net = page.locator('[data-test=score-net]');
    const grades = [['a', 'b', 'a'], ['b', 'b', 'c'], ['a', 'a', 'b']];
    const codes = [];
    for (let i = 0; i < 3; i++) {
        if (i === 2) {
            // The network drops between the second item and the third.
            await page.waitForFunction(() => !document.querySelector('[data-test=score-net]').textContent.includes('待发送'));
            await context.setOffline(true);
        }
        codes.push((await title.innerText()).split(' ')[0]);
        const parts = page.locator('.score-part');
        assert((await parts.count()) === 3, 'three parts: 有无, 痕迹, 效果');
        for (let k = 0; k < 3; k++) await parts.nth(k).locator(`[data-grade="${grades[i][k]}"]`).click();
        await page.locator('textarea[data-test=score-comment], [data-test=score-comment] textarea').first().fill(`现场评语${i + 1}`);
        await page.locator('[data-test=score-save]').click();
        await page.waitForFunction((c) => !document.querySelector('[data-test=score-item-title]').textContent.startsWith(c + ' '), codes[i]);
    }
    await page.waitForFunction(() => document.querySelector('[data-test=score-net]').textContent.includes('离线，待发送 1 条'));
    const big = await page.locator('.score-grade').first().boundingBox();
    assert(big && big.height >= 48, `grade buttons are large: ${big && big.height}`);
    await shot(page, 'reviewer-offline');
    await context.setOffline(false);
    await page.waitForFunction(() => {
        const t = document.querySelector('[data-test=score-net]').textContent;
        return t.includes('在线') && !t.includes('待发送');
    }, null, { timeout: 15000 });
    const items = (await apiGet(page, `/api/v1/evaluations/${ev.id}/items`)).items;
    for (let i = 0; i < 3; i++) {
        const it = items.find((x) => x.code === codes[i]);
        assert(it && it.mine, `item ${codes[i]} saved`);
        const g = it.mine.grades;
        assert(g.exists === grades[i][0] && g.evidence === grades[i][1] && g.effect === grades[i][2], `item ${codes[i]} grades ${JSON.stringify(g)}`);
        assert(it.mine.comment === `现场评语${i + 1}`, `item ${codes[i]} comment ${it.mine.comment}`);
    }
    const stored = await page.evaluate(() => localStorage.getItem('safecomm.scoreQueue'));
    assert(stored === '[]', `the queue is empty: ${stored}`);
});

test('风险四色图: each township is filled with the colour of its highest risk level, as GET /risks/map says', async ({ page, base, context }) => {
    await context.clearCookies();
    await login(page, base, 'county');
    const api = await apiGet(page, '/api/v1/risks/map?region=511621000000');
    assert(api.items.length > 0, 'the demo has risks');
    await page.goto(`${base}/risks/map`);
    const colours = { red: '#e53935', orange: '#fb8c00', yellow: '#fdd835', blue: '#1e88e5' };
    await page.locator('[data-test=risk-map] path.leaflet-interactive').first().waitFor();
    await page.waitForTimeout(300);
    for (const c of Object.keys(colours)) {
        const want = api.items.filter((i) => i.color === c).length;
        const got = await page.locator(`[data-test=risk-map] path[fill="${colours[c]}"]`).count();
        assert(got === want, `${c}: ${got} regions drawn, the API has ${want}`);
    }
});

test('评审档案: the county admin generates the dossier of 九龙镇 and downloads a zip with the progress shown', async ({ page, base, context }) => {
    await context.clearCookies();
    await login(page, base, 'county');
    await page.goto(`${base}/reports/dossier`);
    await pickRegion(page, page.locator('.el-form-item').filter({ hasText: '区域' }), '九龙镇');
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.locator('[data-test=dossier-generate]').click()]);
    assert(/^评审档案-九龙镇-\d{4}年\.zip$/.test(dl.suggestedFilename()), `a zip named for the township: ${dl.suggestedFilename()}`);
    const f = await dl.path();
    const head = fs.readFileSync(f).subarray(0, 2).toString('latin1');
    assert(head === 'PK', 'the download is a ZIP');
    await page.locator('[data-test=dossier-progress]').filter({ hasText: '已下载' }).waitFor();
});

/* ---------------- the run ---------------- */

// Campaigns (issue 14, acceptance 7): the township admin of 九龙镇 opens its
// campaign from the board, is refused a step without evidence (the message
// under the field), attaches a scan and completes the step; the county's
// board then shows the town at its next step.
const JIULONG = '511621101000';

async function boardRow(page, base, region) {
    await page.goto(`${base}/campaigns/board`);
    await page.locator('[data-test=campaign-board][data-loaded=true]').waitFor({ timeout: 15000 });
    const row = page.locator(`[data-test=cboard-row-${region}]`);
    await row.waitFor();
    return row;
}

test('campaigns (acceptance 7): a township admin completes a step with a document attached; the county board shows the new step', async ({ page, base, watch }) => {
    await loggedOut(page, base);
    await login(page, base, 'town', await townPassword(base));
    let row = await boardRow(page, base, JIULONG);
    const before = await row.getAttribute('data-step');
    assert(before === 'application', `九龙镇 starts at its application, not ${before}`);
    await row.click();
    await page.waitForURL(/\/campaigns\/\d+$/);
    await page.locator(`[data-test=campaign-detail][data-step=${before}]`).waitFor();
    await shot(page, 'campaign-detail');
    await page.locator('[data-test=complete-step]').click();
    const dialog = page.locator('.el-dialog:has([data-test=complete-submit])');
    await dialog.waitFor();
    // Without evidence: 422, the message under 证明材料.
    watch.expect(422, /\/api\/v1\/campaigns\/\d+\/transitions$/);
    await dialog.locator('[data-test=complete-submit]').click();
    const err = dialog.locator('.el-form-item[data-field=files] .el-form-item__error');
    await err.waitFor();
    assert((await err.innerText()).includes('证明材料'), 'the refusal names the evidence');
    await attachPhoto(dialog, '申请书扫描件.png', PNG_BLUE);
    await dialog.locator('[data-test=complete-submit]').click();
    await dialog.waitFor({ state: 'hidden', timeout: 10000 });
    await page.locator('[data-test=campaign-detail][data-step=document_review]').waitFor({ timeout: 10000 });
    const done = page.locator('[data-test=timeline-step][data-code=application]');
    assert((await done.getAttribute('data-done')) === 'true', 'the step is done on the timeline');
    await photosLoaded(page, '[data-test=timeline-step][data-code=application] [data-test=step-files]', 1);
    // The county's board shows the town's new step.
    await logout(page);
    await login(page, base, 'county');
    row = await boardRow(page, base, JIULONG);
    await page.waitForFunction((r) => document.querySelector(`[data-test=cboard-row-${r}]`)?.dataset.step === 'document_review', JIULONG);
    assert((await row.locator('[data-test=cboard-state]').innerText()).includes('文件审核'), 'the state column names the new step');
    await shot(page, 'campaign-board');
});

// ---- 待办 (issue 17) ----
// Each role logs in, finds its 待办 on the home page, opens one item and
// completes it. Clicks are counted from the login button to the open record
// (at most four); the groups and counts are GET /api/v1/todo's.

// Logs in counting the submit as the first click; returns the counter.
async function todoLogin(page, base, username, password) {
    await loggedOut(page, base);
    await login(page, base, username, password);
    return { n: 1 };
}

// The home page's 待办 card once loaded, checked against the API: the
// groups with something to do, in order, with their counts.
async function todoCard(page) {
    if (new URL(page.url()).pathname !== '/') await page.goto(new URL('/', page.url()).href);
    const card = page.locator('[data-test=home-todo][data-loaded=true]');
    await card.waitFor({ timeout: 15000 });
    const api = await apiGet(page, '/api/v1/todo');
    const want = api.groups.filter((g) => g.count > 0);
    await page.waitForFunction(
        (n) => document.querySelectorAll('[data-test=home-todo] [data-test^=todo-group-]').length === n,
        want.length,
    );
    const shown = await card.locator('[data-test^=todo-group-]').evaluateAll((els) =>
        els.map((e) => ({ key: e.dataset.test.replace('todo-group-', ''), count: Number(e.querySelector('[data-test=todo-count]').textContent) })),
    );
    assert(JSON.stringify(shown) === JSON.stringify(want.map((g) => ({ key: g.key, count: g.count }))),
        `the card shows ${JSON.stringify(shown)}, the API ${JSON.stringify(want.map((g) => [g.key, g.count]))}`);
    await page.waitForFunction((t) => (document.querySelector('[data-test=todo-bell-count] sup')?.textContent || '').trim() === (t > 99 ? '99+' : String(t)), api.total);
    return api;
}

// Clicks the item of group key whose title has text (the first without);
// returns its id.
// The 下达整改通知 dialog filled for the village committee (doStep's fill).
const assignForm = (days, person, measures) => async (d) => {
    await d.locator('[data-field=deadline_days] input').fill(days);
    await d.locator('[data-field=responsible_unit] input').fill('村委会');
    await d.locator('[data-field=responsible_person] input').fill(person);
    await d.locator('[data-field=measures] textarea').fill(measures);
};

async function openTodoItem(page, clicks, key, text) {
    const group = page.locator(`[data-test=home-todo] [data-test=todo-group-${key}]`);
    await group.waitFor();
    const items = group.locator('[data-test=todo-item]');
    const item = text ? items.filter({ hasText: text }).first() : items.first();
    assert(await item.count(), `no item ${text || ''} in ${key}: ${await group.innerText()}`);
    const id = await item.getAttribute('data-id');
    await item.click();
    clicks.n++;
    assert(clicks.n <= 4, `${clicks.n} clicks from the login to the record`);
    return id;
}

test('待办: town opens a fresh report from 待下达整改通知 and assigns it, then accepts the unit\'s hazard from 待验收; the bell opens a group\'s list', async ({ page, base }) => {
    const clicks = await todoLogin(page, base, 'town', await townPassword(base));
    const before = await todoCard(page);
    assert((await page.locator('[data-test=home-report]').count()) === 0, 'the 发现安全隐患？ banner is shown to the office that receives the reports');
    const id = await openTodoItem(page, clicks, 'hazards_to_assign', '村道旁配电箱箱门破损');
    await page.waitForURL((u) => u.pathname === `/hazards/${id}`);
    assert((await hazardState(page)) === '已登记', 'the item is not a reported hazard');
    await doStep(page, 'assign', '已下达整改通知', assignForm('10', '李主任', '更换配电箱箱门并加锁'));
    let after = await todoCard(page);
    const count = (t, k) => (t.groups.find((g) => g.key === k) || { count: 0 }).count;
    assert(count(after, 'hazards_to_assign') === count(before, 'hazards_to_assign') - 1, 'the assigned hazard is still to assign');
    assert(!(await page.locator(`[data-test=todo-group-hazards_to_assign] [data-test=todo-item][data-id="${id}"]`).count()), 'the assigned hazard is still listed');
    // The unit's hazard awaiting acceptance.
    const id2 = await openTodoItem(page, { n: 1 }, 'hazards_to_accept', '灭火器压力不足');
    await page.waitForURL((u) => u.pathname === `/hazards/${id2}`);
    await doStep(page, 'accept', '已销号', (d) => d.locator('[data-field=note] textarea').fill('现场验收合格'));
    after = await todoCard(page);
    assert(count(after, 'hazards_to_accept') === count(before, 'hazards_to_accept') - 1, 'the accepted hazard is still to accept');
    // The bell: its groups, each opening the filtered list.
    await page.locator('[data-test=todo-bell]').click();
    const panel = page.locator('[data-test=todo-bell-panel]');
    await panel.waitFor();
    const g = after.groups.find((x) => x.key === 'hazards_to_accept' && x.count > 0) || after.groups.find((x) => x.count > 0);
    await panel.locator(`[data-test=bell-group-${g.key}]`).click();
    await page.waitForURL((u) => u.pathname === `/e/${g.link.entity}`);
    for (const [k, v] of new URLSearchParams(g.link.query)) assert(new URL(page.url()).searchParams.get(k) === v, `the list opened without ${k}=${v}`);
    await tableRows(page);
    const total = await page.locator('[data-test=list-total], .el-pagination__total').first().innerText();
    assert(total.includes(String(g.count)), `the list of ${g.key} says ${total}, the group ${g.count}`);
    await shot(page, 'todo-town-list');
});

test('待办: the unit officer starts rectifying its hazard from 待开始整改', async ({ page, base }) => {
    const clicks = await todoLogin(page, base, 'unit');
    await todoCard(page);
    assert((await page.locator('[data-test=home-report]').count()) === 0, 'the report banner is shown to a unit officer');
    await shot(page, 'todo-unit-home');
    const id = await openTodoItem(page, clicks, 'hazards_to_start', '货架遮挡安全出口');
    await page.waitForURL((u) => u.pathname === `/hazards/${id}`);
    await doStep(page, 'start', '整改中');
    await todoCard(page);
    assert(await page.locator(`[data-test=todo-group-hazards_rectifying] [data-test=todo-item][data-id="${id}"]`).count(), 'the started hazard is not in 整改中');
    assert(!(await page.locator(`[data-test=todo-group-hazards_to_start] [data-test=todo-item][data-id="${id}"]`).count()), 'the started hazard is still to start');
});

test('待办: a village worker on a 375 px phone records a visit from 7天内应走访', async ({ page, base }) => {
    await loggedOut(page, base);
    await page.setViewportSize({ width: 375, height: 812 });
    await login(page, base, 'village');
    const clicks = { n: 1 };
    const before = await todoCard(page);
    assert((await page.locator('[data-test=home-report]').count()) === 1, 'the village worker, who reports, has no report banner');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `the home page scrolls sideways by ${overflow} px`);
    await page.locator('[data-test=home-todo]').scrollIntoViewIfNeeded();
    await shot(page, 'todo-village-phone');
    const id = await openTodoItem(page, clicks, 'care_visits_due');
    await page.waitForURL((u) => u.pathname === '/m/visits' && u.searchParams.get('household') === id);
    const form = page.locator('[data-test=visit-form]');
    await form.waitFor();
    const h = await apiGet(page, `/api/v1/care_households/${id}`);
    assert((await form.innerText()).includes(h.name), `the visit form is not ${h.name}'s`);
    await pickOption(page, form.locator('[data-field=help_given]'), '慰问物资');
    await form.locator('[data-field=help_value] input').fill('100');
    await form.locator('[data-field=note] textarea').fill('上门看望，身体尚好');
    await form.locator('[data-test=visit-submit]').click();
    await page.locator('[data-test=visit-saved]').waitFor({ timeout: 10000 });
    const after = await apiGet(page, '/api/v1/todo');
    const g0 = before.groups.find((g) => g.key === 'care_visits_due');
    const g1 = after.groups.find((g) => g.key === 'care_visits_due');
    assert(g1.count === g0.count - 1 && !g1.items.some((i) => String(i.id) === id), `the visited household is still due (${g0.count} → ${g1.count})`);
    await page.setViewportSize({ width: 1366, height: 768 });
});

test('待办: the county admin accepts the longest-waiting hazard from 待验收', async ({ page, base }) => {
    const clicks = await todoLogin(page, base, 'county');
    const before = await todoCard(page);
    assert((await page.locator('[data-test=home-report]').count()) === 0, 'the report banner is shown to the county office');
    await shot(page, 'todo-county-home');
    const id = await openTodoItem(page, clicks, 'hazards_to_accept');
    await page.waitForURL((u) => u.pathname === `/hazards/${id}`);
    assert((await hazardState(page)) === '待验收', 'the item is not awaiting acceptance');
    await doStep(page, 'accept', '已销号', (d) => d.locator('[data-field=note] textarea').fill('县安办抽查验收合格'));
    const after = await apiGet(page, '/api/v1/todo');
    const c = (t) => t.groups.find((g) => g.key === 'hazards_to_accept').count;
    assert(c(after) === c(before) - 1, `待验收 ${c(before)} → ${c(after)}`);
});

test('待办: the reviewer opens an evaluation from 待评分 and scores an item; the admin sees every group and assigns a hazard from 待下达整改通知', async ({ page, base }) => {
    const clicks = await todoLogin(page, base, 'reviewer');
    const before = await todoCard(page);
    assert(JSON.stringify(before.groups.map((g) => g.key)) === JSON.stringify(['evaluations_to_score']), `the reviewer's groups: ${before.groups.map((g) => g.key)}`);
    const id = await openTodoItem(page, clicks, 'evaluations_to_score');
    await page.waitForURL((u) => u.pathname === `/evaluations/${id}/score`);
    const parts = page.locator('.score-part');
    await parts.first().waitFor();
    for (let k = 0; k < (await parts.count()); k++) await parts.nth(k).locator('[data-grade="a"]').click();
    await page.locator('[data-test=score-save]').click();
    await page.waitForFunction(async (eid) => {
        const t = await (await fetch('/api/v1/todo')).json();
        return !t.groups[0].items.some((i) => String(i.id) === eid);
    }, id, { timeout: 15000 });
    const after = await apiGet(page, '/api/v1/todo');
    assert(after.groups[0].count === before.groups[0].count - 1, `待评分 ${before.groups[0].count} → ${after.groups[0].count}`);
    // The system administrator holds every permission: every group is offered.
    const aclicks = await todoLogin(page, base, 'admin', PASSWORD);
    const all = await todoCard(page);
    for (const k of ['hazards_to_assign', 'hazards_to_accept', 'hazards_late', 'care_visits_due', 'campaign_steps_late', 'evaluations_to_score'])
        assert(all.groups.some((g) => g.key === k), `the admin lacks ${k}`);
    // The administrator works one of them too, within the four clicks.
    const hid = await openTodoItem(page, aclicks, 'hazards_to_assign');
    await page.waitForURL((u) => u.pathname === `/hazards/${hid}`);
    assert((await hazardState(page)) === '已登记', 'the item is not a reported hazard');
    await doStep(page, 'assign', '已下达整改通知', assignForm('15', '王主任', '按通知要求整改'));
    const done = await apiGet(page, '/api/v1/todo');
    const n = (t) => t.groups.find((g) => g.key === 'hazards_to_assign').count;
    assert(n(done) === n(all) - 1, `待下达整改通知 ${n(all)} → ${n(done)}`);
});
// ---- 列表与手机 (issue 17) ----
// The lists people work with: at 1,366 px the hazard list shows 整改期限 and
// 状态 without scrolling, states as coloured tags, overdue rows tinted with
// 逾期天数, three search fields with the rest behind 展开, pickers for
// references, 导出所选 through ids=; at 375 px lists are cards, the detail
// fits, there is no tab bar and the village worker's menu is the field's.
// SAFECOMM_DOC_SHOTS=1 writes docs/screenshots/phone-list.png and
// phone-detail.png from here.
async function docShot(page, name) {
    await shot(page, name);
    if (process.env.SAFECOMM_DOC_SHOTS === '1') await page.screenshot({ path: fromRoot(`docs/screenshots/${name}.png`) });
}

const pageOverflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('列表与手机: 本页合计 adds the quantities the server declares (incidents: 死亡人数, 受伤人数), and a list of ages has no 合计 row', async ({ page, base }) => {
    await loggedOut(page, base);
    await login(page, base, 'county');
    await page.goto(`${base}/e/incidents`);
    const rows = await tableRows(page);
    assert((await rows.count()) > 0, 'the incident list is empty');
    const cells = await page.evaluate(() => {
        const heads = [...document.querySelectorAll('[data-test=data-table] .el-table__header-wrapper th')].map((th) => th.innerText.trim());
        const body = [...document.querySelectorAll('[data-test=data-table] .el-table__body-wrapper tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim()));
        const foot = [...document.querySelectorAll('[data-test=data-table] .el-table__footer-wrapper td')].map((td) => td.innerText.trim());
        return { heads, body, foot };
    });
    // (the first column may be the selection's checkboxes)
    assert(cells.foot.slice(0, 2).includes('本页合计'), `the footer: ${cells.foot.join('|')}`);
    assert(cells.foot.length === cells.heads.length, `footer ${cells.foot.length} cells, header ${cells.heads.length}`);
    for (const label of ['死亡人数', '受伤人数']) {
        const i = cells.heads.indexOf(label);
        assert(i >= 0, `no ${label} column: ${cells.heads.join('|')}`);
        const sum = cells.body.reduce((a, r) => a + Number(r[i] || 0), 0);
        assert(Number(cells.foot[i]) === sum, `${label}: 本页合计 ${cells.foot[i]}, the rows add to ${sum}`);
    }
    const date = cells.heads.indexOf('发生日期');
    assert(date >= 0 && cells.foot[date] === '', `发生日期 is added up: ${cells.foot[date]}`);
    await page.goto(`${base}/e/injury_cases`);
    await tableRows(page);
    const heads = await page.locator('[data-test=data-table] .el-table__header-wrapper th').allInnerTexts();
    assert(heads.some((t) => t.includes('年龄')), `no 年龄 column: ${heads.join('|')}`);
    assert((await page.locator('[data-test=data-table] .el-table__footer-wrapper').count()) === 0, 'the injury cases list adds up ages');
    await logout(page);
});

test('列表与手机: at 1366 px the hazard list shows 整改期限 and 状态, state tags, overdue rows with 逾期天数, 展开, pickers, 导出所选', async ({ page, base }) => {
    await loggedOut(page, base);
    await login(page, base, 'county');
    await page.goto(`${base}/e/hazards`);
    let rows = await tableRows(page);
    assert((await rows.count()) > 0, 'the hazard list is empty');
    // The key columns come first and are in view without scrolling sideways.
    const heads = await page.locator('[data-test=data-table] .el-table__header-wrapper th').allInnerTexts();
    const order = heads.map((t) => t.trim()).filter((t) => t);
    assert(order.indexOf('整改期限') >= 0 && order.indexOf('整改期限') <= 3 && order.indexOf('状态') <= 4, `the columns are ${order.join('|')}`);
    const fit = await page.evaluate(() => {
        const wrap = document.querySelector('[data-test=data-table] .el-table__body-wrapper .el-scrollbar__wrap');
        const box = wrap.getBoundingClientRect();
        const col = (name) => document.querySelector(`[data-test=data-table] .el-table__header-wrapper th.col-${name}`).getBoundingClientRect();
        return { left: wrap.scrollLeft, right: box.right, deadline: col('deadline').right, state: col('state').right, vw: window.innerWidth };
    });
    assert(fit.left === 0 && fit.deadline <= fit.right && fit.state <= fit.right && fit.right <= fit.vw, `整改期限 or 状态 off-screen: ${JSON.stringify(fit)}`);
    assert((await pageOverflow(page)) <= 1, 'the page scrolls sideways at 1366 px');
    // States are coloured tags, by the declaration's state_tags.
    const meta = (await apiGet(page, '/api/v1/meta/entities')).items.find((e) => e.name === 'hazards');
    const first = (await apiGet(page, '/api/v1/hazards?sort=-found_at&page_size=1')).items[0];
    const tag = rows.first().locator('[data-test=state-tag]');
    assert((await tag.count()) === 1, 'no state tag in the first row');
    const cls = await tag.getAttribute('class');
    assert(cls.includes(`el-tag--${meta.state_tags[first.state]}`), `the tag of ${first.state} is ${cls}, declared ${meta.state_tags[first.state]}`);

    // Overdue rows: tinted, with their days past the deadline (the server's today).
    await page.goto(`${base}/e/hazards?overdue=true&sort=deadline`);
    rows = await tableRows(page);
    const today = (await apiGet(page, '/api/v1/calendar/add?days=0')).from;
    const api = await apiGet(page, '/api/v1/hazards?overdue=true&sort=deadline&page_size=20');
    assert(api.items.length > 0, 'no overdue hazard in the demo');
    assert((await rows.count()) === api.items.length, `${await rows.count()} rows, the API lists ${api.items.length}`);
    const r0 = rows.first();
    assert((await r0.getAttribute('class')).includes('row-overdue'), 'an overdue row is not marked');
    const want = Math.round((Date.parse(today) - Date.parse(api.items[0].deadline)) / 86400000);
    const days = (await r0.locator('[data-test=overdue-days]').innerText()).trim();
    assert(days === String(want), `逾期天数 ${days}, ${api.items[0].deadline} to ${today} is ${want}`);
    assert(order.length && (await page.locator('[data-test=data-table] th', { hasText: '逾期天数' }).count()) === 1, 'no 逾期天数 column');
    // A hazard waiting for acceptance is not marked, even past its deadline.
    const waiting = await apiGet(page, `/api/v1/hazards?state=awaiting_acceptance&deadline_to=${today}&page_size=1`);
    if (waiting.items.length) assert(waiting.items[0].overdue === false, '待验收 is listed as overdue');

    // Three search fields; 展开 shows the rest, the unit as a picker.
    await page.goto(`${base}/e/hazards`);
    await tableRows(page);
    const form = page.locator('.search-form');
    const before = await form.locator('.el-form-item[data-filter]').count();
    assert(before + 1 <= 3, `${before} filters and the keyword are shown folded`);
    assert((await form.locator('[data-filter=unit_id]').count()) === 0, 'the unit filter is shown folded');
    await page.locator('[data-test=more-filters]').click();
    await form.locator('[data-filter=unit_id]').waitFor();
    const after = await form.locator('.el-form-item[data-filter]').count();
    assert(after > before + 3, `展开 shows ${after} filters`);
    assert((await form.locator('[data-filter=unit_id] .el-select').count()) === 1, 'the unit filter is not a picker');
    assert((await form.locator('[data-filter=deadline] .el-date-editor').count()) === 1, 'no 整改期限 range after 展开');
    await page.locator('[data-test=more-filters]').click();
    await form.locator('[data-filter=unit_id]').waitFor({ state: 'detached' });

    // Required fields are marked before any answer from the server.
    await page.locator('[data-test=create-btn]').click();
    const dlg = page.locator('[data-test=entity-dialog]');
    await dlg.waitFor();
    for (const f of meta.fields.filter((x) => x.required && !x.readonly))
        assert(await dlg.locator(`[data-field=${f.name}]`).evaluate((el) => el.classList.contains('is-required')), `${f.label} is not marked required`);
    assert(!(await dlg.locator('[data-field=address]').evaluate((el) => el.classList.contains('is-required'))), '所在区域 is marked required');
    await dlg.locator('.el-dialog__headerbtn').click();
    await dlg.waitFor({ state: 'hidden' });

    // 导出所选: the picked rows' ids go to the export.
    rows = await tableRows(page);
    const picked = (await apiGet(page, '/api/v1/hazards?sort=-found_at&page_size=2')).items.map((h) => h.id);
    await rows.nth(0).locator('.el-checkbox').click();
    await rows.nth(1).locator('.el-checkbox').click();
    const btn = page.locator('[data-test=export-selected]');
    assert((await btn.innerText()).includes('2'), 'the button does not count the picked rows');
    const [req, dl] = await Promise.all([
        page.waitForRequest((r) => /\/api\/v1\/hazards\/export\.xlsx\?/.test(r.url())),
        page.waitForEvent('download', { timeout: 20000 }),
        btn.click(),
    ]);
    const ids = new URL(req.url()).searchParams.get('ids');
    assert(ids && ids.split(',').map(Number).sort().join() === picked.sort().join(), `the export asked for ids=${ids}, picked ${picked}`);
    assert(/\.xlsx$/.test(dl.suggestedFilename()), `the file is ${dl.suggestedFilename()}`);
    await shot(page, 'list-hazards');
});

test('列表与手机: 375 px: the village worker\'s hazards as cards, a detail page that fits, no tab bar, no 导入/导出/列设置, the field menu', async ({ page, base }) => {
    await loggedOut(page, base);
    await page.setViewportSize({ width: 375, height: 812 });
    await login(page, base, 'village');
    await page.goto(`${base}/e/hazards`);
    await tableRows(page);
    const cards = page.locator('[data-test=record-card]');
    await cards.first().waitFor();
    assert((await page.locator('[data-test=data-table]').count()) === 0, 'a table at 375 px');
    const first = cards.first();
    assert((await first.locator('[data-test=card-title]').innerText()).trim().length > 0, 'a card without a title');
    assert((await first.locator('[data-test=state-tag]').count()) === 1, 'a card without its state tag');
    assert((await first.innerText()).includes('整改期限'), 'the card lacks 整改期限');
    for (const t of ['import-btn', 'export-btn', 'columns-btn']) assert((await page.locator(`[data-test=${t}]`).count()) === 0, `${t} on a phone`);
    assert((await page.locator('.tabs-bar, .page-tabs').count()) === 0, 'a tab bar on a phone');
    assert((await pageOverflow(page)) <= 1, 'the card list scrolls sideways');
    // The menu: the field's pages only.
    await page.locator('[data-test=menu-toggle]').click();
    const drawer = page.locator('.menu-drawer [data-test=side-menu]');
    await drawer.waitFor();
    const keys = await drawer.locator('[data-test^=menu-]').evaluateAll((els) => els.map((e) => e.dataset.test));
    const allowed = new Set(['menu-home', 'menu-biz', 'menu-e-hazards', 'menu-e-inspections', 'menu-e-care_households', 'menu-e-care_visits', 'menu-mobile-report', 'menu-mobile-visits', 'menu-hazard-board']);
    assert(keys.includes('menu-e-hazards') && keys.includes('menu-mobile-report'), `the phone menu lacks the hazard pages: ${keys}`);
    assert(keys.every((k) => allowed.has(k)), `the phone menu shows ${keys.filter((k) => !allowed.has(k))}`);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    await page.evaluate(() => window.scrollTo(0, 0));
    await docShot(page, 'phone-list');
    // The detail page fits: one column, no sideways scroll.
    const title = (await first.locator('[data-test=card-title]').innerText()).trim();
    await first.click();
    await page.waitForURL((u) => /^\/hazards\/\d+$/.test(u.pathname));
    await page.locator('[data-test=hazard-detail] [data-test=hazard-state]').waitFor();
    assert((await page.locator('[data-test=hazard-detail]').innerText()).includes(title), 'the detail is not the card\'s hazard');
    await page.waitForTimeout(300);
    assert((await pageOverflow(page)) <= 1, `the detail page scrolls sideways by ${await pageOverflow(page)} px`);
    const wide = await page.evaluate(() =>
        [...document.querySelectorAll('[data-test=hazard-detail] *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null).length,
    );
    assert(wide === 0, `${wide} elements of the detail reach past the screen`);
    assert((await page.locator('.tabs-bar, .page-tabs').count()) === 0, 'a tab bar on the detail page');
    await docShot(page, 'phone-detail');
    await page.setViewportSize({ width: 1366, height: 768 });
});

test('列表与手机: 下达整改通知: the unit picked fills 责任单位; the deadline shows as a date as the days are typed; a missing calendar is said', async ({ page, base }) => {
    await loggedOut(page, base);
    await login(page, base, 'county');
    // A reported hazard whose region has a unit besides the one it may name.
    const h = await page.evaluate(async () => {
        const list = (await (await fetch('/api/v1/hazards?state=reported&grade=general&page_size=100')).json()).items;
        for (const x of list) {
            const u = (await (await fetch(`/api/v1/units?region=${x.region}&page_size=500`)).json()).items;
            if (u.some((y) => y.id !== x.unit_id)) return x;
        }
        return null;
    });
    assert(h, 'no reported general hazard with a unit to pick in the demo');
    await page.goto(`${base}/hazards/${h.id}`);
    await page.locator('[data-test=action-assign]').click();
    const dialog = page.locator('.step-dialog[data-action=assign]');
    await dialog.waitFor();
    await dialog.locator('[data-field=responsible_unit] input').fill('先写的单位');
    await dialog.locator('[data-field=unit_id] .el-select__wrapper').click();
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').first().waitFor();
    // A unit other than the one the hazard may already name.
    const opt = page.locator('.el-select-dropdown:visible .el-select-dropdown__item:not(.is-selected)').first();
    assert(await opt.count(), 'only one unit to pick in the hazard\'s region');
    const name = (await opt.locator('span').first().innerText()).trim();
    await opt.click();
    const filled = await dialog.locator('[data-field=responsible_unit] input').inputValue();
    assert(filled === name, `责任单位 reads ${filled} after picking ${name}`);
    await dialog.locator('[data-field=deadline_days] input').fill('7');
    const due = dialog.locator('[data-test=due-deadline_days]');
    await due.waitFor({ timeout: 5000 });
    const want = await apiGet(page, '/api/v1/calendar/add?days=7');
    const [y, m, d] = want.date.split('-').map(Number);
    assert((await due.innerText()).includes(`${y}年${m}月${d}日`), `the dialog shows ${await due.innerText()}, the server counts ${want.date}`);
    const warned = await dialog.locator('[data-test=calendar-missing]').count();
    assert(warned === (want.entered ? 0 : 1), `calendar entered ${want.entered}, warning shown ${warned}`);
    if (!want.entered) assert((await dialog.locator('[data-test=calendar-missing]').innerText()).includes('法定节假日未扣除'), 'the warning does not say holidays are ignored');
    await shot(page, 'notice-dialog-deadline');
    await dialog.locator('.el-dialog__footer .el-button', { hasText: '取消' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert((await hazardState(page)) === '已登记', 'cancel changed the state');
});


// ---- 期间: the year that follows the user (issue 17) ----
// A township without records this year opens 统计分析 on the latest year that
// has (GET /stats/years' default) and says so; a year chosen there is the
// year of 工作总结 (through the menu) and of the hazard board (a new page
// load: sessionStorage); the board's rates name their year and show "—" for
// 0 of 0; printing leaves out the menu and the header.
test('期间: 统计分析 opens on the latest year with records and says so; the chosen year follows to 工作总结 and the hazard board', async ({ page, base }) => {
    await loggedOut(page, base);
    await login(page, base, 'county');
    await page.evaluate(() => sessionStorage.clear()); // a fresh tab: no year kept
    const me = (await apiGet(page, '/api/v1/session')).user;
    const kids = (await apiGet(page, `/api/v1/stats?region=${me.region}&year=2025&sections=hazards`)).children;
    let town = null;
    let info = null;
    for (const k of kids) {
        info = await apiGet(page, `/api/v1/stats/years?region=${k.code}`);
        if (info.fallback) {
            town = k;
            break;
        }
    }
    assert(town, 'every township has records this year: the demo should have none');
    assert(info.default === 2025 && info.current === new Date().getFullYear(), `the default of ${town.name}: ${JSON.stringify(info)}`);

    // 统计分析 without a year: the default, the notice, the year in the address.
    await page.goto(`${base}/stats?region=${town.code}`);
    const sp = await statsSettled(page);
    assert((await sp.getAttribute('data-year')) === '2025', `the page opens on ${await sp.getAttribute('data-year')}`);
    const notice = page.locator('[data-test=stats-page] [data-test=period-notice]');
    await notice.waitFor();
    const said = (await notice.innerText()).trim();
    assert(said.includes(`${info.current}年尚无数据，显示最近有数据的 2025年`), `the notice says ${JSON.stringify(said)}`);
    await page.waitForURL((u) => u.searchParams.get('year') === '2025');
    const st = await apiGet(page, `/api/v1/stats?region=${town.code}&year=2025`);
    assert((await kpiNumber(page, 'hazards-found')) === st.hazards.found, 'the figures are 2025\'s');
    // Printing: the page alone.
    assert(await page.locator('[data-test=stats-print]').isEnabled(), 'a 打印 button');
    await page.emulateMedia({ media: 'print' });
    assert(!(await page.locator('.topbar').isVisible()) && !(await page.locator('.aside').isVisible()), 'the header and the menu are printed');
    assert(await page.locator('.print-title').isVisible(), 'the printed page has no title');
    assert((await page.locator('.print-title').innerText()).includes(`${town.name}2025年统计分析`), 'the printed title names the region and year');
    await page.emulateMedia({ media: 'screen' });
    // 排查发现隐患 opens the list of the hazards found in the region that year.
    await page.locator('[data-test=kpi-hazards-found]').click();
    await page.waitForURL((u) => u.pathname === '/e/hazards' && u.searchParams.get('found_at_to') === '2025-12-31' && u.searchParams.get('region') === town.code);
    await page.waitForFunction(() => {
        const e = document.querySelector('[data-test=table-scroll]');
        return e && e.dataset.busy === 'false' && Number(e.dataset.loads) > 0;
    });
    const listed = Number((await page.locator('.el-pagination__total').innerText()).replace(/\D/g, ''));
    assert(listed === st.hazards.found, `the list has ${listed} hazards, the card ${st.hazards.found}`);
    await page.goBack();
    await statsSettled(page);

    // Another year chosen here…
    let before = await statsLoads(page);
    await pickOption(page, page.locator('[data-test=stats-year]'), '2024 年');
    await statsSettled(page, before);
    assert((await sp.getAttribute('data-year')) === '2024', 'year 2024 not loaded');
    assert((await notice.count()) === 0, 'a notice for a year that has records');

    // …is the year of 工作总结, reached through the menu…
    const item = page.locator('[data-test=menu-report-work-summary]');
    if (!(await item.isVisible())) await page.locator('[data-test=menu-biz] .el-sub-menu__title').click();
    await item.click();
    await page.waitForURL((u) => u.pathname === '/reports/work-summary');
    await page.waitForFunction(() => document.querySelector('[data-test=work-summary]')?.dataset.year === '2024');
    const sel = (await page.locator('[data-test=summary-year] .el-select__selected-item').allInnerTexts()).join('').trim();
    assert(sel === '2024 年', `工作总结 shows ${JSON.stringify(sel)}`);
    await page.waitForURL((u) => u.searchParams.get('year') === '2024');

    // …and of the hazard board, opened afresh.
    await page.goto(`${base}/hazards/board`);
    const board = page.locator('[data-test=hazard-board][data-loaded=true]');
    await board.waitFor({ timeout: 15000 });
    assert((await board.getAttribute('data-year')) === '2024', `the board is on ${await board.getAttribute('data-year')}`);
    const bsel = (await page.locator('[data-test=board-year] .el-select__selected-item').allInnerTexts()).join('').trim();
    assert(bsel === '2024 年', `the board's 年度 shows ${JSON.stringify(bsel)}`);
    await page.waitForURL((u) => u.searchParams.get('year') === '2024');
    const b24 = await apiGet(page, `/api/v1/hazards/board?region=${me.region}&from=2024-01-01&to=2024-12-31`);
    assert((await page.locator('[data-test=board-rate-period]').innerText()).includes('2024年发现'), 'the rates name their year');
    const rr = await page.locator('[data-test=board-rectification-rate]').innerText();
    assert(b24.found > 0 && rr.includes(`已销号 ${b24.closed}`) && rr.includes(`发现 ${b24.found}`), `the board's 2024 rates: ${rr}`);
    assert((await page.locator('[data-test=board-state-period]').innerText()).includes('截至今日'), 'the state counts say they are as at today');
    // A year without records: 0 of 0 is "—", not 0%.
    await pickOption(page, page.locator('[data-test=board-year]'), `${info.current - 4} 年`);
    await page.waitForFunction((y) => document.querySelector('[data-test=board-rate-period]')?.innerText.includes(`${y}年发现`), info.current - 4);
    await page.waitForFunction(() => /发现 0/.test(document.querySelector('[data-test=board-rectification-rate]')?.innerText || ''));
    const empty = await page.locator('[data-test=board-rectification-rate] .el-progress__text').innerText();
    assert(empty.trim() === '—', `0 of 0 shows ${JSON.stringify(empty)}`);
    // 发现 opens the list of that year's hazards.
    await pickOption(page, page.locator('[data-test=board-year]'), '2024 年');
    await page.waitForFunction(() => /2024年发现/.test(document.querySelector('[data-test=board-rate-period]')?.innerText || ''));
    await page.waitForFunction((n) => (document.querySelector('[data-test=board-found-link]')?.innerText || '').includes(`发现 ${n}`), b24.found);
    await page.locator('[data-test=board-found-link]').click();
    await page.waitForURL((u) => u.pathname === '/e/hazards' && u.searchParams.get('found_at_from') === '2024-01-01');
    await page.waitForFunction(() => {
        const e = document.querySelector('[data-test=table-scroll]');
        return e && e.dataset.busy === 'false' && Number(e.dataset.loads) > 0;
    });
    const total = Number((await page.locator('.el-pagination__total').innerText()).replace(/\D/g, ''));
    assert(total === b24.found, `the list has ${total} hazards found in 2024, the board ${b24.found}`);
    await page.evaluate(() => sessionStorage.clear());
    await loggedOut(page, base);
});

// ---- 中文与无障碍 (issue 17) ----
// Readable pages: no English word or raw code on any page, keyboard reach,
// labels on inputs, and axe-core's serious and critical rules.
const AXE = path.join(ROOT, 'web', 'node_modules', 'axe-core', 'axe.min.js');
// Latin words a Chinese user reads as such; numbers and units are allowed too.
// X: the check digit of an ID number.
const LATIN_OK = new Set(['Excel', 'Word', 'PDF', 'ID', 'X', 'CSV', 'km', 'm', 'kg', 'cm', 'mm', 'KB', 'MB', 'GB', 'kB', 'h', 'AM', 'PM', 'ZIP', 'OpenStreetMap', 'Leaflet', 'x', 'N', 'E', 'S', 'W']);
// IP: the standard Chinese term is 「IP 地址」 (the login log's column).
LATIN_OK.add('IP');

// The Latin words of the page's visible text that the allow-list does not hold.
// Text a user typed or copies verbatim is data, not the page's wording: an
// element marked data-user-text (a login name in its 登录名 cell, a new
// token, a dictionary item's code while editing it) is left out, its words
// taken off the page's once each; nothing else is.
async function latinWords(page) {
    const { text, user } = await page.evaluate(() => ({
        text: document.body.innerText,
        user: [...document.querySelectorAll('[data-user-text]')]
            .filter((e) => !e.parentElement.closest('[data-user-text]'))
            .map((e) => e.innerText)
            .join('\n'),
    }));
    const left = new Map();
    for (const w of user.match(/[A-Za-z][A-Za-z_]*/g) || []) left.set(w, (left.get(w) || 0) + 1);
    // A dangerous house's grade (JGJ 125: A级 to D级) is the standard's own word.
    const words = (text.replace(/(?<![A-Za-z])[A-D](?=级)/g, '').match(/[A-Za-z][A-Za-z_]*/g) || []).filter((w) => {
        if (!left.get(w)) return true;
        left.set(w, left.get(w) - 1);
        return false;
    });
    return [...new Set(words.filter((w) => !LATIN_OK.has(w)))];
}

async function axeViolations(page) {
    // Evaluated through the DevTools protocol: the page's CSP refuses inline scripts.
    if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(fs.readFileSync(AXE, 'utf8'));
    const r = await page.evaluate(async () => {
        const res = await window.axe.run(document, { resultTypes: ['violations'] });
        return res.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    });
    return r;
}

// Waits for a page to finish loading: no request in flight, no mask.
async function pageSettled(page) {
    await page.waitForLoadState('networkidle', { timeout: 10000 }).catch(() => {});
    await page.waitForFunction(() => !document.querySelector('.el-loading-mask:not([style*="display: none"])'), null, { timeout: 8000 }).catch(() => {});
    await page.waitForTimeout(300);
}

test('中文与无障碍: a village worker opens a record without asking for its change history (no 403)', async ({ page, base }) => {
    await page.goto(`${base}/`);
    await page.locator('[data-test=user-menu], [data-test=login-username]').first().waitFor({ timeout: 10000 });
    if (await page.locator('[data-test=user-menu]').count()) await logout(page);
    await login(page, base, 'village');
    const id = await page.evaluate(async () => (await (await fetch('/api/v1/activities?page_size=1')).json()).items[0].id);
    await page.goto(`${base}/e/activities/${id}`);
    await page.locator('.el-descriptions').first().waitFor({ timeout: 10000 });
    await pageSettled(page);
    assert((await page.locator('[data-test=history]').count()) === 0, 'the history is shown without audit:read');
    // (the watch fails the test on any 403 or console error)
    await logout(page);
});

test('中文与无障碍: the login focuses the username; Tab reaches the skip link, then the menu; the skip link moves to the page; date ranges name their ends', async ({ page, base }) => {
    await page.goto(`${base}/`);
    await page.locator('[data-test=user-menu], [data-test=login-username]').first().waitFor({ timeout: 10000 });
    if (await page.locator('[data-test=user-menu]').count()) await logout(page);
    await page.goto(`${base}/login`);
    await page.locator('[data-test=login-username]').waitFor();
    await page.waitForTimeout(300);
    const focused = await page.evaluate(() => document.activeElement && `${document.activeElement.tagName} ${document.activeElement.getAttribute('name')}`);
    assert(focused === 'INPUT username', `the login page focuses ${focused}`);
    await login(page, base, 'admin');
    await page.goto(`${base}/admin/audit`);
    await page.locator('[data-test=audit-page]').waitFor();
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press('Tab');
    assert(await page.evaluate(() => document.activeElement?.dataset.test === 'skip-link'), 'the first Tab does not reach the skip link');
    assert((await page.evaluate(() => document.activeElement.textContent.trim())) === '跳到主要内容', 'the skip link says 跳到主要内容');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => ({ menu: !!document.activeElement.closest('[data-test=side-menu]'), text: document.activeElement.textContent.trim() }));
    assert(first.menu && first.text === '首页', `the second Tab does not reach the menu: ${JSON.stringify(first)}`);
    // Tab on to 统计分析 and open it with Enter.
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => !!document.activeElement.closest('[data-test=side-menu]') && document.activeElement.textContent.trim() === '统计分析');
    }
    assert(reached, 'Tab never reaches 统计分析 in the menu');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/stats', { timeout: 10000 });
    // The skip link: Enter moves the focus to the page.
    await page.focus('[data-test=skip-link]');
    await page.keyboard.press('Enter');
    assert(await page.evaluate(() => document.activeElement?.id === 'main-content'), 'the skip link does not move the focus to the page');
    await page.goto(`${base}/admin/audit`);
    await page.locator('[data-test=audit-page] .el-range-input').first().waitFor();
    await page.waitForTimeout(500);
    const ends = await page.evaluate(() => [...document.querySelectorAll('[data-test=audit-page] .el-range-input')].map((e) => e.getAttribute('aria-label')).join('/'));
    assert(ends === '开始日期/结束日期', `the date range's ends are named ${ends}`);
});

// The pages walked, as admin: the home page, 风险四色图, 事故伤害统计, 责任书覆盖,
// 现场评分, 行政区域, 工作日历, 审计日志, the list and one detail page of each
// entity in COVERED and WALK_ENTITIES_* (every declared entity's), and the
// pages in WALK_PAGES_*; then, logged out, the login page.
const COVERED = ['units', 'unit_contacts', 'hazards', 'activities', 'volunteer_teams', 'volunteers', 'volunteer_services', 'care_households', 'care_visits',
    'mediation_committees', 'disputes', 'rental_houses', 'tenants', 'campaigns', 'campaign_targets', 'campaign_funds', 'supervisions', 'projects', 'project_records',
    'evaluations', 'committees', 'committee_members', 'meetings', 'responsibility_letters', 'donations', 'surveys'];
// The walk's later additions, one array per group of pages (issue 17).
const WALK_ENTITIES_A = ['regions', 'checklist_templates', 'inspections', 'incidents', 'injury_cases', 'persons', 'help_subjects'];
const WALK_ENTITIES_B = ['help_visits', 'dangerous_houses', 'risks', 'project_indicators', 'checklists', 'checklist_items', 'supervision_findings'];
const WALK_PAGES_C = [
    '/hazards/board',
    '/hazards/map',
    async (page) => `/hazards/${await page.evaluate(async () => (await (await fetch('/api/v1/hazards?page_size=1')).json()).items[0].id)}`,
    '/campaigns/board',
    async (page) => `/campaigns/${await page.evaluate(async () => (await (await fetch('/api/v1/campaigns?page_size=1')).json()).items[0].id)}`,
    '/stats',
    '/reports/work-summary',
    '/reports/dossier',
    async (page) => `/evaluations/${await page.evaluate(async () => (await (await fetch('/api/v1/evaluations?page_size=1')).json()).items[0].id)}/score`,
];
// D: the account, the phone pages (at this width too), the administration
// pages left, the forbidden and missing pages. /password sends a user who
// need not change theirs to /account; the login page is not walked (it
// answers a logged-in user with the home page).
const WALK_PAGES_D = ['/account', '/password', '/m/report', '/m/visits', '/admin/users', '/admin/login-log', '/admin/roles', '/admin/dicts', '/forbidden', '/no-such-page'];
async function pagesToWalk(page) {
    const pages = ['/', '/risks/map', '/stats/injuries', '/letters/coverage', '/evaluations/score', '/admin/regions', '/admin/calendar', '/admin/audit'];
    // An entry is a path, or an async function of the page that returns one
    // (a detail page whose id is looked up), or null to skip.
    for (const w of [...WALK_PAGES_C, ...WALK_PAGES_D]) {
        const p = typeof w === 'function' ? await w(page) : w;
        if (p) pages.push(p);
    }
    for (const e of [...COVERED, ...WALK_ENTITIES_A, ...WALK_ENTITIES_B]) {
        pages.push(`/e/${e}`);
        const r = await page.evaluate(async (n) => {
            const x = await fetch(`/api/v1/${n}?page_size=1`);
            return x.ok ? (await x.json()).items : [];
        }, e);
        // A region is keyed by its code, every other record by its id.
        if (r && r.length) pages.push(`/e/${e}/${r[0].id ?? r[0].code}`);
    }
    return pages;
}

test('中文与无障碍: every page in Chinese (allow-listed Latin terms only), and no serious or critical axe-core violation', async ({ page, base }) => {
    await page.setViewportSize({ width: 1366, height: 900 });
    // As admin, whoever the test before left logged in (or none, run alone).
    await page.goto(`${base}/`);
    await page.locator('[data-test=user-menu], [data-test=login-username]').first().waitFor({ timeout: 10000 });
    if (await page.locator('[data-test=user-menu]').count()) await logout(page);
    await login(page, base, 'admin');
    const pages = await pagesToWalk(page);
    const problems = [];
    for (const p of pages) {
        await page.goto(`${base}${p}`);
        await pageSettled(page);
        await page.mouse.move(0, 0); // the resting state, not a hovered button
        const latin = await latinWords(page);
        if (latin.length) problems.push(`${p}: Latin words ${latin.join(' ')}`);
        const v = await axeViolations(page);
        for (const x of v) problems.push(`${p}: axe ${x}`);
    }
    // The login page, as who has not logged in yet sees it; then admin again
    // for the tests that follow.
    await logout(page);
    await page.locator('[data-test=login-username]').waitFor();
    await pageSettled(page);
    await page.mouse.move(0, 0);
    const latin = await latinWords(page);
    if (latin.length) problems.push(`/login: Latin words ${latin.join(' ')}`);
    for (const x of await axeViolations(page)) problems.push(`/login: axe ${x}`);
    await login(page, base, 'admin');
    assert(problems.length === 0, `${problems.length} problems on ${pages.length + 1} pages:\n${problems.join('\n')}`);
});

async function main() {
    const t0 = Date.now();
    const db = makeDatabase();
    const { child, base } = await startServer(db);
    out(`# server ${base}, temp dir ${tmp}`);
    const profile = path.join(tmp, 'profile');
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROME_FLAGS,
        viewport: { width: 1366, height: 768 },
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
        acceptDownloads: true,
    });
    context.setDefaultTimeout(10000);
    const page = context.pages()[0] || (await context.newPage());
    const watch = new Watch();
    watch.attach(page);
    await page.addInitScript(() => {
        window.alert = () => {
            window.__xss = true;
        };
    });

    let passed = 0;
    let failed = 0;
    for (const t of tests) {
        if (filter && !t.name.includes(filter)) continue;
        watch.reset();
        const started = Date.now();
        let error = null;
        try {
            await t.fn({ page, base, context, watch, tmpdir: tmp });
            await page.waitForTimeout(200); // late console errors belong to this test
        } catch (e) {
            error = e;
        }
        const problems = [...watch.problems];
        const ms = Date.now() - started;
        if (!error && problems.length === 0) {
            passed++;
            out(`ok   ${t.name} (${ms} ms)`);
        } else {
            failed++;
            out(`FAIL ${t.name} (${ms} ms)`);
            if (error) out(`    ${String(error.message || error).split('\n').join('\n    ')}`);
            for (const p of problems) out(`    ${p}`);
            try {
                fs.mkdirSync(SHOTS, { recursive: true });
                const f = path.join(SHOTS, `FAIL-${t.name.replace(/[^\w一-龥]+/g, '_').slice(0, 40)}.png`);
                await page.screenshot({ path: f });
                out(`    screenshot: ${f}`);
            } catch {
                /* ignore */
            }
            out('    --- server log');
            out(serverLogTail(10).replace(/^/gm, '    | '));
        }
    }
    await context.close();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    if (failed === 0 && !process.env.BROWSER_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
    else out(`# kept ${tmp}`);
    out(`# ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    out(`${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
}

main().catch((e) => {
    out(`browser: runner error: ${e && e.stack ? e.stack : e}`);
    out('0 passed, 1 failed');
    process.exit(1);
});
