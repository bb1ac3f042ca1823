'use strict';
// Shared library of the black-box suite: the test registry, the demo database
// (built once per run), per-test servers on fresh copies of it, and HTTP / CLI
// helpers. Only Node built-ins (node:child_process, fs, os, path, net) and the
// global fetch are used, so the suite runs on Node 18 and 20 without npm.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');

const ROOT = path.resolve(__dirname, '..', '..');
// SQLite (default) or PostgreSQL: see backend.js.
const backend = require('./backend');

function fromRoot(p) {
    return path.isAbsolute(p) ? p : path.resolve(ROOT, p);
}

const BIN = fromRoot(process.env.SAFECOMM_BIN || 'build/safecomm');
const MKXLSX = fromRoot(process.env.SAFECOMM_MKXLSX || 'build/test/mkxlsx');
const ADMIN_PASSWORD = 'Admin-pass-2025';
const USER_PASSWORD = 'User-pass-2025!x';
const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// The demo county (see the brief / demo command).
const COUNTY = '511621000000';
const CITY = '511600000000';
const PROVINCE = '510000000000';

// Generous: the server under test may be built with AddressSanitizer.
const START_TIMEOUT_MS = 60000;
const REQUEST_TIMEOUT_MS = 60000;
const DEFAULT_TEST_TIMEOUT_MS = 90000;

/* ---------------- registry ---------------- */

const tests = [];
let currentFile = '';

function setCurrentFile(f) {
    currentFile = f;
}

// Tests of one backend only, not registered on the other: listed (not
// counted) at the end of the run. Files named t_pg_*.js hold the
// PostgreSQL-only tests; the runner counts them apart from the shared ones.
const skipped = [];
function skipTests(names, why) {
    for (const name of names) skipped.push({ file: currentFile, name, why });
}

// test(name, fn) or test(name, {timeout}, fn)
function test(name, opts, fn) {
    if (typeof opts === 'function') {
        fn = opts;
        opts = {};
    }
    tests.push({ file: currentFile, name, fn, timeout: opts.timeout || DEFAULT_TEST_TIMEOUT_MS });
}

/* ---------------- the run's temp dir and the demo database ---------------- */

let runDir = null;
function getRunDir() {
    if (!runDir) runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'safecomm-bb-'));
    return runDir;
}

// The environment for the binary: our own, minus SAFECOMM_* settings that
// could point it at another database or key file.
function childEnv(extra) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (k.startsWith('SAFECOMM_')) continue;
        env[k] = v;
    }
    return Object.assign(env, extra || {});
}

// Runs a command; resolves {code, signal, stdout, stderr}. Never rejects for
// a non-zero exit; rejects when the program cannot be started or times out.
function run(cmd, args, opts = {}) {
    return new Promise((resolve, reject) => {
        let child;
        try {
            child = spawn(cmd, args, {
                cwd: opts.cwd || ROOT,
                env: childEnv(opts.env),
                stdio: ['pipe', 'pipe', 'pipe'],
            });
        } catch (e) {
            reject(e);
            return;
        }
        const out = [];
        const err = [];
        child.stdout.on('data', (d) => out.push(d));
        child.stderr.on('data', (d) => err.push(d));
        const timeout = opts.timeout || 120000;
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`${path.basename(cmd)} ${args.join(' ')}: timed out after ${timeout} ms`));
        }, timeout);
        child.on('error', (e) => {
            clearTimeout(timer);
            reject(new Error(`cannot run ${cmd}: ${e.message}`));
        });
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            resolve({
                code,
                signal,
                stdout: Buffer.concat(out).toString('utf8'),
                stderr: Buffer.concat(err).toString('utf8'),
            });
        });
        child.stdin.on('error', () => {});
        if (opts.input !== undefined) child.stdin.end(opts.input);
        else child.stdin.end();
    });
}

// Runs the safecomm binary; with check (default true) a non-zero exit rejects.
async function cli(args, opts = {}) {
    if (!fs.existsSync(BIN)) throw new Error(`binary not found: ${BIN} (set SAFECOMM_BIN)`);
    const m = opts.native ? { args, env: opts.env } : await backend.prepare(args, opts.env);
    const r = await run(BIN, m.args, Object.assign({}, opts, { env: m.env }));
    if (opts.check !== false && r.code !== 0) {
        throw new Error(
            `safecomm ${args.join(' ')} exited ${r.code}${r.signal ? ' (' + r.signal + ')' : ''}: ` +
                tail(r.stderr + r.stdout, 15)
        );
    }
    return r;
}

let demoPromise = null;
// The demo database, built once per run: {db, key, token}.
function demo() {
    if (!demoPromise) {
        demoPromise = (async () => {
            const dir = path.join(getRunDir(), 'demo');
            fs.mkdirSync(dir, { recursive: true });
            const db = path.join(dir, 'demo.db');
            const t0 = Date.now();
            await cli(['demo', '--db', db], {
                env: { SAFECOMM_ADMIN_PASSWORD: ADMIN_PASSWORD },
                timeout: 300000,
            });
            const key = db + '.key';
            if (!fs.existsSync(key)) throw new Error(`demo did not create the key file ${key}`);
            const r = await cli(['token', 'create', '--db', db, '--username', 'admin']);
            const token = r.stdout.trim();
            if (!token || token.includes('\n'))
                throw new Error(`token create printed ${JSON.stringify(r.stdout)}, not one line`);
            process.stdout.write(`# demo database built in ${Date.now() - t0} ms: ${db}\n`);
            return { db, key, token };
        })();
    }
    return demoPromise;
}

/* ---------------- helpers ---------------- */

function tail(text, n) {
    const lines = String(text).split('\n');
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-n).join('\n');
}

function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
}

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

function copyFile(src, dst, mode) {
    fs.copyFileSync(src, dst);
    if (mode !== undefined) fs.chmodSync(dst, mode);
}

function headersObject(h) {
    const o = {};
    h.forEach((v, k) => {
        o[k.toLowerCase()] = v;
    });
    return o;
}

function parseJson(text) {
    try {
        return JSON.parse(text);
    } catch (e) {
        return null;
    }
}

// api(baseUrl, method, path, {token, body, raw, headers, timeout})
// body: an object/array is sent as JSON; a string or Buffer verbatim.
// raw: bytes (string/Buffer) sent verbatim (takes precedence over body).
// Resolves {status, json, text, bytes, headers} (headers: lower-case keys).
async function httpApi(base, method, p, opts = {}) {
    const headers = Object.assign({}, opts.headers || {});
    if (opts.token) headers['Authorization'] = `Bearer ${opts.token}`;
    let body;
    if (opts.raw !== undefined) {
        body = opts.raw;
    } else if (opts.body !== undefined) {
        if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body) || opts.body instanceof Uint8Array) {
            body = opts.body;
        } else {
            body = JSON.stringify(opts.body);
            if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
                headers['Content-Type'] = 'application/json';
        }
    }
    const res = await fetch(base + p, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeout || REQUEST_TIMEOUT_MS),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    const ct = res.headers.get('content-type') || '';
    const json = ct.includes('json') || /^\s*[{[]/.test(text) ? parseJson(text) : null;
    return { status: res.status, json, text, bytes, headers: headersObject(res.headers) };
}

// A raw HTTP/1.1 exchange over node:net, for requests fetch will not send
// (or whose connection the server may cut). Resolves
// {status, headers, body, text, json, closedEarly, error}; status is 0 when
// no response head arrived before the connection ended.
function rawHttp(port, head, body, opts = {}) {
    return new Promise((resolve, reject) => {
        const sock = net.connect(port, '127.0.0.1');
        const chunks = [];
        let writeError = null;
        let done = false;
        const timer = setTimeout(() => {
            if (done) return;
            done = true;
            sock.destroy();
            reject(new Error(`raw request: no answer and no close within ${opts.timeout || 30000} ms`));
        }, opts.timeout || 30000);
        function finish(err) {
            if (done) return;
            done = true;
            clearTimeout(timer);
            const all = Buffer.concat(chunks);
            const r = { status: 0, headers: {}, body: Buffer.alloc(0), text: '', json: null, error: err || writeError };
            const sep = all.indexOf('\r\n\r\n');
            if (sep >= 0) {
                const lines = all.subarray(0, sep).toString('latin1').split('\r\n');
                const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
                if (m) r.status = Number(m[1]);
                for (const l of lines.slice(1)) {
                    const i = l.indexOf(':');
                    if (i > 0) r.headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
                }
                let b = all.subarray(sep + 4);
                if ((r.headers['transfer-encoding'] || '').includes('chunked')) b = dechunk(b);
                else if (r.headers['content-length'] !== undefined) b = b.subarray(0, Number(r.headers['content-length']));
                r.body = b;
                r.text = b.toString('utf8');
                r.json = parseJson(r.text);
            }
            r.closedEarly = r.status === 0;
            resolve(r);
        }
        sock.on('data', (d) => chunks.push(d));
        sock.on('end', () => finish(null));
        sock.on('close', () => finish(null));
        sock.on('error', (e) => {
            // A reset after the server answered still leaves the answer in chunks.
            finish(e);
        });
        sock.on('connect', () => {
            const write = (b) =>
                new Promise((res) => {
                    if (sock.destroyed) return res();
                    sock.write(b, (e) => {
                        if (e) writeError = e;
                        res();
                    });
                });
            (async () => {
                await write(Buffer.isBuffer(head) ? head : Buffer.from(head, 'latin1'));
                if (body) {
                    const step = 256 * 1024;
                    for (let i = 0; i < body.length && !sock.destroyed && !writeError; i += step)
                        await write(body.subarray(i, i + step));
                }
            })();
        });
    });
}

function dechunk(b) {
    const out = [];
    let i = 0;
    while (i < b.length) {
        const e = b.indexOf('\r\n', i);
        if (e < 0) break;
        const n = parseInt(b.subarray(i, e).toString('latin1'), 16);
        if (!n) break;
        out.push(b.subarray(e + 2, e + 2 + n));
        i = e + 2 + n + 2;
    }
    return Buffer.concat(out);
}

/* ---------------- servers ---------------- */

let serverSeq = 0;

class Server {
    constructor(ctx, dir, db, token) {
        this.ctx = ctx;
        this.dir = dir;
        this.db = db;
        this.key = db + '.key';
        this.token = token; // the admin token
        this.log = path.join(dir, 'server.log');
        this.proc = null;
        this.port = 0;
        this.url = '';
        this.exits = []; // {code, signal, how}
    }

    async start() {
        if (this.proc) throw new Error('server already running');
        this.port = await freePort();
        this.url = `http://127.0.0.1:${this.port}`;
        const fd = fs.openSync(this.log, 'a');
        fs.writeSync(fd, `--- start ${new Date().toISOString()} port ${this.port}\n`);
        const m = backend.mapArgs(['serve', '--db', this.db, '--listen', `127.0.0.1:${this.port}`, '--threads', '2'], {});
        const proc = spawn(BIN, m.args, { cwd: this.dir, env: childEnv(m.env), stdio: ['ignore', fd, fd] });
        fs.closeSync(fd);
        this.proc = proc;
        proc.exited = new Promise((resolve) => {
            proc.on('exit', (code, signal) => {
                proc.exitInfo = { code, signal };
                resolve(proc.exitInfo);
            });
            proc.on('error', (e) => {
                proc.exitInfo = { code: -1, signal: null, error: e };
                resolve(proc.exitInfo);
            });
        });
        const deadline = Date.now() + START_TIMEOUT_MS;
        for (;;) {
            if (proc.exitInfo) {
                this.proc = null;
                throw new Error(
                    `server exited during start-up (code ${proc.exitInfo.code}, signal ${proc.exitInfo.signal})` +
                        (proc.exitInfo.error ? ': ' + proc.exitInfo.error.message : '')
                );
            }
            try {
                const r = await fetch(this.url + '/healthz', { signal: AbortSignal.timeout(2000) });
                await r.arrayBuffer();
                if (r.status === 200) break;
            } catch (e) {
                /* not yet */
            }
            if (Date.now() > deadline) throw new Error(`server did not answer /healthz within ${START_TIMEOUT_MS} ms`);
            await sleep(100);
        }
        return this;
    }

    // SIGTERM, then SIGKILL after 5 s. Records how it ended.
    async stop() {
        const proc = this.proc;
        if (!proc) return null;
        this.proc = null;
        if (!proc.exitInfo) proc.kill('SIGTERM');
        const t = setTimeout(() => {
            if (!proc.exitInfo) {
                proc.killedHard = true;
                proc.kill('SIGKILL');
            }
        }, 5000);
        const info = await proc.exited;
        clearTimeout(t);
        const rec = { how: proc.killedHard ? 'SIGTERM ignored for 5 s, SIGKILLed' : 'SIGTERM', ...info };
        this.exits.push(rec);
        return rec;
    }

    // SIGKILL now (a crash).
    async kill() {
        const proc = this.proc;
        if (!proc) return null;
        this.proc = null;
        proc.kill('SIGKILL');
        const info = await proc.exited;
        this.exits.push({ how: 'SIGKILL', expected: true, ...info });
        return info;
    }

    async restart() {
        await this.stop();
        return this.start();
    }

    // api(method, path, {token, body, raw, headers}); token defaults to none.
    api(method, p, opts = {}) {
        return httpApi(this.url, method, p, opts);
    }

    // The same with the admin token unless another token is given.
    admin(method, p, opts = {}) {
        return httpApi(this.url, method, p, Object.assign({ token: this.token }, opts));
    }

    raw(head, body, opts) {
        return rawHttp(this.port, head, body, opts);
    }

    // The safecomm CLI on this server's database.
    cli(args, opts) {
        return cli(args, opts);
    }

    async createUser(username, role, region, password = USER_PASSWORD) {
        await cli(['user', 'add', '--db', this.db, '--username', username, '--role', role, '--region', region], {
            input: password + '\n',
        });
        const r = await cli(['token', 'create', '--db', this.db, '--username', username]);
        const token = r.stdout.trim();
        if (!token || token.includes('\n')) throw new Error(`token create printed ${JSON.stringify(r.stdout)}`);
        return token;
    }

    logTail(n = 30) {
        try {
            return tail(fs.readFileSync(this.log, 'utf8'), n);
        } catch (e) {
            return '(no log)';
        }
    }

    // Problems seen in the log: sanitizer reports and the like.
    logProblems() {
        let text = '';
        try {
            text = fs.readFileSync(this.log, 'utf8');
        } catch (e) {
            return [];
        }
        const out = [];
        for (const line of text.split('\n')) {
            if (/ERROR: (AddressSanitizer|LeakSanitizer|ThreadSanitizer|UndefinedBehaviorSanitizer)|runtime error:|WARNING: ThreadSanitizer/.test(line))
                out.push(line.trim());
        }
        return out.slice(0, 5);
    }
}

class Context {
    constructor(t) {
        this.t = t;
        this.servers = [];
        this.notes = [];
        this.dir = null;
    }

    tmpDir() {
        if (!this.dir) {
            const safe = `${this.t.file}-${this.t.name}`.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60);
            this.dir = fs.mkdtempSync(path.join(getRunDir(), `${safe}-`));
        }
        return this.dir;
    }

    // A started server on a fresh copy of the demo database (and its key).
    async server() {
        const d = await demo();
        const dir = path.join(this.tmpDir(), `srv${++serverSeq}`);
        fs.mkdirSync(dir);
        const db = path.join(dir, 'demo.db');
        await backend.copyDb(d.db, db);
        copyFile(d.key, db + '.key', 0o600);
        const s = new Server(this, dir, db, d.token);
        this.servers.push(s);
        await s.start();
        return s;
    }

    // Shortcuts to the most recently started server of this test.
    get srv() {
        if (!this.servers.length) throw new Error('no server started in this test (call ctx.server() first)');
        return this.servers[this.servers.length - 1];
    }

    get token() {
        return this.srv.token;
    }

    api(method, p, opts) {
        return this.srv.api(method, p, opts);
    }

    note(msg) {
        this.notes.push(msg);
    }

    async cleanup() {
        const problems = [];
        for (const s of this.servers) {
            if (s.proc) await s.stop();
            for (const e of s.exits) {
                if (e.expected) continue;
                if (e.how !== 'SIGTERM' || e.code !== 0)
                    problems.push(`server on :${s.port} did not stop cleanly: ${e.how}, exit code ${e.code}, signal ${e.signal}`);
            }
            for (const p of s.logProblems()) problems.push(`server log: ${p}`);
        }
        return problems;
    }
}

/* ---------------- assertion helpers ---------------- */

const assert = require('node:assert');

function brief(res) {
    const t = res.text !== undefined ? res.text : '';
    return `${res.status} ${t.length > 400 ? t.slice(0, 400) + '…' : t}`;
}

// Asserts res is an error reply in the envelope {"error":{"code","message"[,"fields"]}}.
// status: a number or an array of acceptable numbers. field: a field that must
// be named in error.fields.
function assertError(res, status, field, what) {
    const ok = Array.isArray(status) ? status : [status];
    const label = what ? `${what}: ` : '';
    assert.ok(ok.includes(res.status), `${label}expected status ${ok.join(' or ')}, got ${brief(res)}`);
    assert.ok(res.json && typeof res.json === 'object', `${label}error body is not JSON: ${brief(res)}`);
    const e = res.json.error;
    assert.ok(e && typeof e === 'object', `${label}no "error" object: ${brief(res)}`);
    assert.ok(typeof e.code === 'string' && e.code, `${label}error.code missing: ${brief(res)}`);
    assert.ok(typeof e.message === 'string' && e.message, `${label}error.message missing: ${brief(res)}`);
    if (field) {
        assert.ok(
            e.fields && typeof e.fields === 'object' && Object.prototype.hasOwnProperty.call(e.fields, field),
            `${label}error.fields does not name "${field}": ${brief(res)}`
        );
    }
    return e;
}

function assertStatus(res, status, what) {
    const ok = Array.isArray(status) ? status : [status];
    assert.ok(ok.includes(res.status), `${what ? what + ': ' : ''}expected ${ok.join(' or ')}, got ${brief(res)}`);
    return res.json;
}

// Some regions of the demo county: {county, township, village, township2, village2}.
async function demoRegions(s) {
    const out = { county: COUNTY };
    const r = await s.admin('GET', `/api/v1/regions?parent=${COUNTY}`);
    let towns = [];
    if (r.status === 200 && r.json && Array.isArray(r.json.items))
        towns = r.json.items.filter((x) => x && x.level === 'township').map((x) => x.code).sort();
    if (towns.length < 2) towns = ['511621101000', '511621102000'];
    out.township = towns[0];
    out.township2 = towns[1];
    const villagesOf = async (t) => {
        const v = await s.admin('GET', `/api/v1/regions?parent=${t}`);
        if (v.status === 200 && v.json && Array.isArray(v.json.items)) {
            const list = v.json.items.filter((x) => x && x.level === 'village').map((x) => x.code).sort();
            if (list.length) return list[0];
        }
        return t.slice(0, 9) + '001';
    };
    out.village = await villagesOf(out.township);
    out.village2 = await villagesOf(out.township2);
    for (const c of [out.township, out.village, out.village2]) {
        const g = await s.admin('GET', `/api/v1/regions/${c}`);
        assert.strictEqual(g.status, 200, `demo region ${c} not found: ${brief(g)}`);
    }
    return out;
}

// A per-run unique tag for names, so searches find only our rows.
const RUN_TAG = Date.now().toString(36).slice(-5);

// Runs fn over items with at most n in flight.
async function pool(items, n, fn) {
    const results = new Array(items.length);
    let next = 0;
    const workers = [];
    for (let w = 0; w < Math.min(n, items.length); w++) {
        workers.push(
            (async () => {
                while (next < items.length) {
                    const i = next++;
                    results[i] = await fn(items[i], i);
                }
            })()
        );
    }
    await Promise.all(workers);
    return results;
}

// Converts CSV text to an .xlsx with the mkxlsx tool (cells "D:2025-01-02"
// become dates, "N:12" numbers). Returns the file's bytes.
async function mkxlsx(csvText, outPath, { inline = false } = {}) {
    if (!fs.existsSync(MKXLSX)) throw new Error(`mkxlsx not found: ${MKXLSX} (build it, or set SAFECOMM_MKXLSX)`);
    const args = inline ? ['--inline', outPath] : [outPath];
    const r = await run(MKXLSX, args, { input: csvText, timeout: 120000 });
    if (r.code !== 0) throw new Error(`mkxlsx exited ${r.code}: ${tail(r.stderr, 10)}`);
    const b = fs.readFileSync(outPath);
    assert.ok(b.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 3, 4])), 'mkxlsx output is not a zip');
    return b;
}

// A multipart/form-data body with one file part. Returns {body, contentType}.
function multipart(field, filename, contentType, data) {
    const boundary = '----safecommbb' + Math.random().toString(16).slice(2);
    const head = Buffer.from(
        `--${boundary}\r\n` +
            `Content-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
            `Content-Type: ${contentType}\r\n\r\n`,
        'utf8'
    );
    const tailB = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
    return { body: Buffer.concat([head, Buffer.from(data), tailB]), contentType: `multipart/form-data; boundary=${boundary}` };
}

function isXlsx(bytes) {
    return Buffer.isBuffer(bytes) && bytes.length > 100 && bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 3, 4]));
}

backend.setRunner(run);

module.exports = {
    ROOT,
    backend,
    BACKEND: backend.KIND,
    BIN,
    MKXLSX,
    ADMIN_PASSWORD,
    USER_PASSWORD,
    XLSX_MIME,
    COUNTY,
    CITY,
    PROVINCE,
    RUN_TAG,
    tests,
    test,
    skipped,
    skipTests,
    setCurrentFile,
    getRunDir,
    demo,
    run,
    cli,
    Context,
    httpApi,
    rawHttp,
    sleep,
    tail,
    freePort,
    pool,
    assert,
    assertError,
    assertStatus,
    brief,
    demoRegions,
    mkxlsx,
    multipart,
    isXlsx,
};

/* ---------------- added: servers with extra arguments, CLI assertions ---------------- */

// A server started with extra `serve` arguments (e.g. --web-root DIR) and
// extra environment variables, on any database. Otherwise like Server.
class CustomServer extends Server {
    constructor(ctx, dir, db, token, extraArgs, extraEnv, key) {
        super(ctx, dir, db, token);
        if (key) this.key = key;
        this.extraArgs = extraArgs || [];
        this.extraEnv = extraEnv || {};
    }

    async start() {
        if (this.proc) throw new Error('server already running');
        this.port = await freePort();
        this.url = `http://127.0.0.1:${this.port}`;
        const fd = fs.openSync(this.log, 'a');
        fs.writeSync(fd, `--- start ${new Date().toISOString()} port ${this.port} args ${this.extraArgs.join(' ')}\n`);
        const m = backend.mapArgs(
            ['serve', '--db', this.db, '--listen', `127.0.0.1:${this.port}`, '--threads', '2', ...this.extraArgs],
            this.extraEnv
        );
        const proc = spawn(BIN, m.args, { cwd: this.dir, env: childEnv(m.env), stdio: ['ignore', fd, fd] });
        fs.closeSync(fd);
        this.proc = proc;
        proc.exited = new Promise((resolve) => {
            proc.on('exit', (code, signal) => {
                proc.exitInfo = { code, signal };
                resolve(proc.exitInfo);
            });
            proc.on('error', (e) => {
                proc.exitInfo = { code: -1, signal: null, error: e };
                resolve(proc.exitInfo);
            });
        });
        const deadline = Date.now() + START_TIMEOUT_MS;
        for (;;) {
            if (proc.exitInfo) {
                this.proc = null;
                throw new Error(
                    `server exited during start-up (code ${proc.exitInfo.code}, signal ${proc.exitInfo.signal})` +
                        (proc.exitInfo.error ? ': ' + proc.exitInfo.error.message : '') +
                        '\n' + this.logTail(10)
                );
            }
            try {
                const r = await fetch(this.url + '/healthz', { signal: AbortSignal.timeout(2000) });
                await r.arrayBuffer();
                if (r.status === 200) break;
            } catch (e) {
                /* not yet */
            }
            if (Date.now() > deadline) throw new Error(`server did not answer /healthz within ${START_TIMEOUT_MS} ms`);
            await sleep(100);
        }
        return this;
    }
}

// ctx.demoCopy() → {dir, db, key, token}: a fresh copy of the demo database
// and its key (mode 0600) in a new directory of the test's own, not served.
Context.prototype.demoCopy = async function demoCopy() {
    const d = await demo();
    const dir = path.join(this.tmpDir(), `db${++serverSeq}`);
    fs.mkdirSync(dir);
    const db = path.join(dir, 'demo.db');
    await backend.copyDb(d.db, db);
    copyFile(d.key, db + '.key', 0o600);
    return { dir, db, key: db + '.key', token: d.token };
};

// ctx.serverWith({db, key, token, args, env}) → a started server. Without db,
// on a fresh copy of the demo database (token: the demo admin token). args are
// extra `serve` arguments, env extra environment variables. Stopped after the
// test like ctx.server()'s.
Context.prototype.serverWith = async function serverWith(opts = {}) {
    let { db, token, key } = opts;
    if (!db) {
        const c = await this.demoCopy();
        db = c.db;
        token = token || c.token;
    }
    const dir = path.join(this.tmpDir(), `srv${++serverSeq}`);
    fs.mkdirSync(dir);
    const s = new CustomServer(this, dir, db, token, opts.args, opts.env, key);
    this.servers.push(s);
    await s.start();
    return s;
};

// Runs the safecomm binary and resolves {code, signal, stdout, stderr} whatever
// the exit status.
function cliRun(args, opts = {}) {
    return cli(args, Object.assign({}, opts, { check: false }));
}

// The non-empty lines of a text.
function textLines(text) {
    return String(text)
        .split('\n')
        .map((l) => l.replace(/\r$/, ''))
        .filter((l) => l.trim() !== '');
}

// Asserts a CLI result's exit status. stderr: a RegExp the standard error
// must match. oneLine: a failure (exit 1) must print exactly one line on
// standard error.
function assertExit(r, code, what, { stderr, oneLine } = {}) {
    const show = () =>
        `\n  stdout: ${tail(r.stdout, 8).slice(0, 800)}\n  stderr: ${tail(r.stderr, 8).slice(0, 800)}`;
    assert.strictEqual(r.code, code, `${what}: exit status ${r.code}${r.signal ? ' (' + r.signal + ')' : ''}, expected ${code}${show()}`);
    if (stderr) assert.match(r.stderr, stderr, `${what}: standard error does not match ${stderr}${show()}`);
    if (oneLine) {
        const lines = textLines(r.stderr);
        assert.strictEqual(lines.length, 1, `${what}: expected a one-line message on standard error, got ${lines.length} lines${show()}`);
    }
    return r;
}

// Runs SQL on a database and returns its output (rows, columns split by
// '|'); rejects on failure. The sqlite3 tool, or psql on PostgreSQL (with the
// few SQLite-only statements of the tests translated: see backend.js).
function sqlite(db, sql) {
    return backend.sql(db, sql);
}

// The file's permission bits (e.g. 0o600).
function fileMode(p) {
    return fs.statSync(p).mode & 0o777;
}

module.exports.CustomServer = CustomServer;
module.exports.cliRun = cliRun;
module.exports.textLines = textLines;
module.exports.assertExit = assertExit;
module.exports.sqlite = sqlite;
module.exports.fileMode = fileMode;

/* ---------------- added: sessions, ID numbers, xlsx text, files ---------------- */

// Logs in through POST /api/v1/session. Resolves {status, json, res, cookie,
// csrf, setCookie}: cookie is "sc_session=…" ready for a Cookie header (null
// when none was set), setCookie the raw Set-Cookie header.
async function login(s, username, password, opts = {}) {
    const res = await s.api('POST', '/api/v1/session', { body: { username, password }, headers: opts.headers || {} });
    const setCookie = res.headers['set-cookie'] || '';
    const m = /(?:^|[;,]\s*)sc_session=([^;,\s]*)/.exec(setCookie);
    return {
        status: res.status,
        json: res.json,
        res,
        setCookie,
        cookie: m && m[1] ? `sc_session=${m[1]}` : null,
        csrf: res.json && typeof res.json.csrf_token === 'string' ? res.json.csrf_token : null,
    };
}

// A request with a session cookie; csrf (when given) goes in X-CSRF-Token.
function withCookie(s, method, p, cookie, { csrf, body, headers } = {}) {
    const h = Object.assign({ Cookie: cookie }, headers || {});
    if (csrf !== undefined && csrf !== null) h['X-CSRF-Token'] = csrf;
    return s.api(method, p, { body, headers: h });
}

// An 18-character resident ID number with its GB 11643 check character, from
// the first 17 digits (area code 6, birth date 8, sequence 3).
function idNumber(first17) {
    if (!/^\d{17}$/.test(first17)) throw new Error(`idNumber needs 17 digits, got ${first17}`);
    const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(first17[i]) * w[i];
    return first17 + '10X98765432'[sum % 11];
}

// The entries of a zip archive (stored or deflated): {name: Buffer}.
function unzip(bytes) {
    const zlib = require('node:zlib');
    const b = Buffer.from(bytes);
    let eocd = -1;
    for (let i = b.length - 22; i >= Math.max(0, b.length - 65557); i--)
        if (b.readUInt32LE(i) === 0x06054b50) {
            eocd = i;
            break;
        }
    if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
    const count = b.readUInt16LE(eocd + 10);
    let p = b.readUInt32LE(eocd + 16);
    const out = {};
    for (let n = 0; n < count; n++) {
        if (b.readUInt32LE(p) !== 0x02014b50) throw new Error('bad zip central directory');
        const method = b.readUInt16LE(p + 10);
        const csize = b.readUInt32LE(p + 20);
        const nlen = b.readUInt16LE(p + 28);
        const elen = b.readUInt16LE(p + 30);
        const clen = b.readUInt16LE(p + 32);
        const local = b.readUInt32LE(p + 42);
        const name = b.subarray(p + 46, p + 46 + nlen).toString('utf8');
        const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
        const data = b.subarray(start, start + csize);
        out[name] = method === 8 ? zlib.inflateRawSync(data) : Buffer.from(data);
        p += 46 + nlen + elen + clen;
    }
    return out;
}

// All the XML text of an .xlsx (sheets and shared strings), for "is this value
// in the export" checks.
function xlsxText(bytes) {
    const parts = unzip(bytes);
    return Object.keys(parts)
        .filter((n) => n.endsWith('.xml'))
        .map((n) => parts[n].toString('utf8'))
        .join('\n');
}

// The first sheet of an .xlsx as rows of cells (strings, numbers, or
// undefined for an empty cell): shared and inline strings both, as
// libxlsxwriter's constant-memory mode writes inline ones.
function xlsxCells(bytes) {
    const parts = unzip(bytes);
    const unxml = (t) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
    const texts = (x) => [...x.matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => unxml(m[1])).join('');
    const shared = parts['xl/sharedStrings.xml']
        ? [...parts['xl/sharedStrings.xml'].toString('utf8').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => texts(m[1]))
        : [];
    const sheet = parts['xl/worksheets/sheet1.xml'].toString('utf8');
    const rows = [];
    for (const c of sheet.matchAll(/<c r="([A-Z]+)(\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const [, colName, rowNo, attrs, inner = ''] = c;
        let col = 0;
        for (const ch of colName) col = col * 26 + (ch.charCodeAt(0) - 64);
        const type = (/ t="([^"]+)"/.exec(attrs) || [])[1];
        const v = (/<v>([^<]*)<\/v>/.exec(inner) || [])[1];
        let value;
        if (type === 'inlineStr') value = texts(inner);
        else if (type === 's') value = shared[Number(v)];
        else if (type === 'str') value = v === undefined ? undefined : unxml(v);
        else if (v !== undefined) value = Number(v);
        const r = Number(rowNo) - 1;
        while (rows.length <= r) rows.push([]);
        rows[r][col - 1] = value;
    }
    return rows;
}

// Does the file hold these bytes (a string is taken as UTF-8)? false when the
// file does not exist.
function fileHas(file, needle) {
    if (!fs.existsSync(file)) return false;
    return fs.readFileSync(file).includes(Buffer.isBuffer(needle) ? needle : Buffer.from(String(needle), 'utf8'));
}

module.exports.login = login;
module.exports.withCookie = withCookie;
module.exports.idNumber = idNumber;
module.exports.unzip = unzip;
module.exports.xlsxText = xlsxText;
module.exports.xlsxCells = xlsxCells;
module.exports.fileHas = fileHas;

/* ---------------- CSV exports and import reports (CLI tests) ---------------- */

// Minimal CSV parser (quotes, doubled quotes, CRLF, newlines in quotes).
function parseCsv(text) {
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const rows = [];
    let row = [];
    let cell = '';
    let q = false;
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (q) {
            if (ch === '"' && text[i + 1] === '"') {
                cell += '"';
                i++;
            } else if (ch === '"') q = false;
            else cell += ch;
        } else if (ch === '"') q = true;
        else if (ch === ',') {
            row.push(cell);
            cell = '';
        } else if (ch === '\n' || ch === '\r') {
            if (ch === '\r' && text[i + 1] === '\n') i++;
            row.push(cell);
            rows.push(row);
            row = [];
            cell = '';
        } else cell += ch;
    }
    if (cell !== '' || row.length) {
        row.push(cell);
        rows.push(row);
    }
    return rows.filter((r) => r.some((c) => c !== ''));
}

// The JSON report that `import` prints (before its last "safecomm:" line).
function importReport(text) {
    const start = text.indexOf('{');
    const end = text.lastIndexOf('}');
    assert.ok(start >= 0 && end > start, `no JSON report in ${JSON.stringify(text.slice(0, 300))}`);
    try {
        return JSON.parse(text.slice(start, end + 1));
    } catch (e) {
        throw new Error(`the import report is not JSON: ${text.slice(0, 300)}`);
    }
}

module.exports.parseCsv = parseCsv;
module.exports.importReport = importReport;
