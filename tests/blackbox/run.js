#!/usr/bin/env node
'use strict';
// The black-box suite's runner: node tests/blackbox/run.js [filter]
// Runs every tests/blackbox/t_*.js (a filter keeps the tests whose file or
// name contains it), one test at a time, and ends with exactly one line
// "N passed, N failed". Exit status 1 on any failure.
//
// Environment: SAFECOMM_BIN (default build/safecomm), SAFECOMM_MKXLSX
// (default build/test/mkxlsx), both relative to the repository root;
// BB_KEEP=1 keeps the temp dir even when everything passed.

const fs = require('node:fs');
const path = require('node:path');
const lib = require('./lib');

async function withTimeout(p, ms, what) {
    let timer;
    const t = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    });
    try {
        return await Promise.race([p, t]);
    } finally {
        clearTimeout(timer);
    }
}

function indent(text, pre = '    ') {
    return String(text)
        .split('\n')
        .map((l) => pre + l)
        .join('\n');
}

async function main() {
    const filter = process.argv[2] || '';
    const files = fs
        .readdirSync(__dirname)
        .filter((f) => /^t_.*\.js$/.test(f))
        .sort();
    for (const f of files) {
        lib.setCurrentFile(f.replace(/\.js$/, ''));
        require(path.join(__dirname, f));
    }
    const selected = lib.tests.filter((t) => !filter || t.file.includes(filter) || t.name.includes(filter));
    let passed = 0;
    let failed = 0;
    const only = { passed: 0, failed: 0 }; // t_pg_*.js: PostgreSQL-only tests
    const backendOnly = (t) => /^t_pg_/.test(t.file);
    const t0 = Date.now();
    process.stdout.write(`# binary: ${lib.BIN}\n# temp dir: ${lib.getRunDir()}\n`);
    // The demo database, which nearly every file copies, is built before
    // the first test: its build (slow on PostgreSQL under ASan on a loaded
    // machine) counts against no test's timeout.
    if (selected.length) await lib.demo();
    for (const t of selected) {
        const ctx = new lib.Context(t);
        const started = Date.now();
        let error = null;
        try {
            await withTimeout(Promise.resolve().then(() => t.fn(ctx)), t.timeout, 'test');
        } catch (e) {
            error = e;
        }
        let problems = [];
        try {
            problems = await ctx.cleanup();
        } catch (e) {
            problems = [`cleanup failed: ${e.message}`];
        }
        const ms = Date.now() - started;
        const label = `${t.file}: ${t.name}`;
        if (!error && problems.length === 0) {
            passed++;
            if (backendOnly(t)) only.passed++;
            process.stdout.write(`ok   ${label} (${ms} ms)\n`);
        } else {
            failed++;
            if (backendOnly(t)) only.failed++;
            process.stdout.write(`FAIL ${label} (${ms} ms)\n`);
            if (error) {
                const msg = error && error.message ? error.message : String(error);
                process.stdout.write(indent(msg) + '\n');
                if (process.env.BB_STACK && error.stack) process.stdout.write(indent(error.stack) + '\n');
            }
            for (const p of problems) process.stdout.write(indent(p) + '\n');
            for (const s of ctx.servers) {
                process.stdout.write(`    --- last 30 lines of ${s.log}\n`);
                process.stdout.write(indent(s.logTail(30), '    | ') + '\n');
            }
        }
        for (const n of ctx.notes) process.stdout.write(indent('note: ' + n) + '\n');
    }
    const dir = lib.getRunDir();
    if (failed === 0 && !process.env.BB_KEEP) {
        fs.rmSync(dir, { recursive: true, force: true });
    } else {
        process.stdout.write(`# kept ${dir}\n`);
    }
    process.stdout.write(`# ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    process.stdout.write(`# backend: ${lib.BACKEND === 'pg' ? 'PostgreSQL' : 'SQLite'}\n`);
    const skipped = lib.skipped.filter((t) => !filter || t.file.includes(filter) || t.name.includes(filter));
    for (const t of skipped) process.stdout.write(`skip ${t.file}: ${t.name} (${t.why}; not counted)\n`);
    process.stdout.write(
        `# shared tests: ${passed - only.passed} passed, ${failed - only.failed} failed; ` +
            `${lib.BACKEND === 'pg' ? 'PostgreSQL' : 'SQLite'}-only tests: ${only.passed} passed, ${only.failed} failed; ` +
            `${skipped.length} skipped (other backend only, not counted)\n`
    );
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
    process.exit(failed ? 1 : 0);
}

main().catch((e) => {
    process.stdout.write(`runner error: ${e && e.stack ? e.stack : e}\n`);
    process.stdout.write('0 passed, 1 failed\n');
    process.exit(1);
});
