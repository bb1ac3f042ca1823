'use strict';
// The black-box suite's storage backend. With SAFECOMM_TEST_BACKEND=pg and
// SAFECOMM_TEST_PG=postgresql://safecomm@127.0.0.1:PORT/safecomm (a throwaway
// cluster, see scripts/pg-test-server.sh), every database a test names by a
// SQLite path stands for a PostgreSQL database of its own:
//   - `--db PATH` (and SAFECOMM_DB=PATH) given to the binary become
//     `--db postgresql://…/f_<hash of PATH>` plus `--key-file PATH.key`
//     (unless a key file is given), so the key lives where SQLite keeps it;
//   - init and demo create that database first (CREATE DATABASE);
//   - copying a database is CREATE DATABASE … TEMPLATE (a live one: pg_dump);
//   - sql(PATH, …) runs psql instead of sqlite3, with the few SQLite-only
//     statements the tests use turned into their PostgreSQL equivalents.
// Without SAFECOMM_TEST_BACKEND=pg everything is SQLite, unchanged.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const KIND = process.env.SAFECOMM_TEST_BACKEND === 'pg' ? 'pg' : 'sqlite';
const PG_URI = process.env.SAFECOMM_TEST_PG || '';
if (KIND === 'pg' && !/^postgres(ql)?:\/\//.test(PG_URI))
    throw new Error('SAFECOMM_TEST_BACKEND=pg needs SAFECOMM_TEST_PG=postgresql://…');

let runner = null; // lib's run(), set by lib
function setRunner(fn) {
    runner = fn;
}

function isUri(s) {
    return typeof s === 'string' && /^postgres(ql)?:\/\//.test(s);
}

// The database name standing for a SQLite path.
function dbName(p) {
    if (p === 'postgres') return p; // the maintenance database
    if (isUri(p)) return new URL(p).pathname.slice(1);
    return 'f_' + crypto.createHash('sha1').update(path.resolve(p)).digest('hex').slice(0, 24);
}

function uriOf(p, user) {
    if (isUri(p) && !user) return p;
    const u = new URL(PG_URI);
    if (user) u.username = user;
    u.pathname = '/' + dbName(p);
    return u.toString();
}

// psql as the superuser (trust authentication in the test cluster).
async function psql(db, sql, { allowFail = false } = {}) {
    const r = await runner('psql', ['-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', '-d', uriOf(db, 'postgres'), '-c', sql], { timeout: 120000 });
    if (r.code !== 0 && !allowFail) throw new Error(`psql ${dbName(db)} ${JSON.stringify(sql)} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
    return r;
}

async function dbExists(p) {
    if (KIND !== 'pg') return fs.existsSync(p);
    const r = await psql('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${dbName(p)}'`);
    return r.stdout.trim() === '1';
}

async function createDb(p, template) {
    const t = template ? ` TEMPLATE ${dbName(template)}` : '';
    await psql('postgres', `CREATE DATABASE ${dbName(p)} OWNER safecomm${t}`);
}

// A copy of database src at dst (the key file is the caller's business).
async function copyDb(src, dst) {
    if (KIND !== 'pg') {
        fs.copyFileSync(src, dst);
        if (fs.existsSync(src + '-wal')) fs.copyFileSync(src + '-wal', dst + '-wal');
        return;
    }
    const t = await psql('postgres', `CREATE DATABASE ${dbName(dst)} OWNER safecomm TEMPLATE ${dbName(src)}`, { allowFail: true });
    if (t.code === 0) return;
    // In use (a running server): a logical copy instead.
    await createDb(dst);
    const r = await runner('sh', ['-c', `pg_dump -d "$1" | psql -X -q -v ON_ERROR_STOP=1 -d "$2" >/dev/null`, 'sh', uriOf(src, 'postgres'), uriOf(dst, 'postgres')], { timeout: 120000 });
    if (r.code !== 0) throw new Error(`copying database ${dbName(src)}: ${r.stderr.slice(-500)}`);
}

// The SQLite statements the tests use, in PostgreSQL.
function toPg(sql) {
    return sql
        .replace(/PRAGMA\s+wal_checkpoint\([A-Z]*\)\s*;?/gi, '')
        .replace(/PRAGMA\s+foreign_keys\s*=\s*OFF\s*;?/gi, 'SET session_replication_role = replica;')
        .replace(/DROP TRIGGER (audit_log_no_\w+)/g, 'DROP TRIGGER $1 ON audit_log')
        .replace(/FROM sqlite_master WHERE name =/g, "FROM pg_tables WHERE schemaname = 'public' AND tablename =")
        .replace(/last_insert_rowid\(\)/g, 'lastval()')
        .replace(/\browid\b/g, 'id');
}

// sqlite3 -batch DB SQL, or its PostgreSQL equivalent; rejects on failure
// (the message carries the database's error text).
async function sql(db, text) {
    if (KIND !== 'pg' || !mapped(db)) {
        let r;
        try {
            r = await runner('sqlite3', ['-batch', db, text], { timeout: 60000 });
        } catch (e) {
            throw new Error(`cannot run sqlite3 (is it installed?): ${e.message}`);
        }
        if (r.code !== 0) throw new Error(`sqlite3 ${db} ${JSON.stringify(text)} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
        return r.stdout.trim();
    }
    const r = await psql(db, toPg(text));
    return r.stdout.trim();
}

// Paths that stay SQLite files even in the PostgreSQL run (the source of
// migrate-data).
const native = new Set();
function keepNative(p) {
    native.add(path.resolve(p));
}
function mapped(p) {
    return !isUri(p) && !native.has(path.resolve(p));
}

// Everything the database stores, as files to grep: the SQLite file and its
// WAL, or a plain pg_dump of the PostgreSQL database written to dir.
async function storedFiles(db, dir) {
    if (KIND !== 'pg') return [db, db + '-wal', db + '-journal'].filter((f) => fs.existsSync(f));
    const out = path.join(dir, `${dbName(db)}.sql`);
    const r = await runner('pg_dump', ['-d', uriOf(db, 'postgres'), '-f', out], { timeout: 120000 });
    if (r.code !== 0) throw new Error(`pg_dump ${dbName(db)}: ${r.stderr.slice(-500)}`);
    return [out];
}

// The arguments and environment of the binary with every database path
// mapped (see the top). Returns {args, env, create}: create is the path
// whose database must exist first (init, demo).
function mapArgs(args, env) {
    if (KIND !== 'pg') return { args, env, create: null };
    args = args.slice();
    env = Object.assign({}, env || {});
    let db = null;
    for (let i = 0; i + 1 < args.length; i++)
        if (args[i] === '--db' && mapped(args[i + 1])) {
            db = args[i + 1];
            args[i + 1] = uriOf(db);
        }
    if (env.SAFECOMM_DB && mapped(env.SAFECOMM_DB)) {
        if (!db) db = env.SAFECOMM_DB;
        env.SAFECOMM_DB = uriOf(env.SAFECOMM_DB);
    }
    if (db && !args.includes('--key-file') && !env.SAFECOMM_KEY_FILE) args.push('--key-file', db + '.key');
    const create = db && (args[0] === 'init' || args[0] === 'demo') ? db : null;
    return { args, env, create };
}

async function prepare(args, env) {
    const m = mapArgs(args, env);
    if (m.create && !(await dbExists(m.create))) await createDb(m.create);
    return m;
}

module.exports = {
    KIND,
    PG_URI,
    setRunner,
    isUri,
    dbName,
    uriOf,
    psql,
    dbExists,
    createDb,
    copyDb,
    sql,
    mapArgs,
    prepare,
    keepNative,
    storedFiles,
};

// pg_dump -Fc of a database to a file, and pg_restore of it into a new
// database standing for path dst (PostgreSQL run only).
module.exports.runDump = function runDump(db, file) {
    return runner('pg_dump', ['-Fc', '-d', uriOf(db, 'postgres'), '-f', file], { timeout: 120000 });
};
module.exports.runRestore = async function runRestore(file, dst) {
    await createDb(dst);
    return runner('pg_restore', ['--no-owner', '--role=safecomm', '-d', uriOf(dst, 'postgres'), file], { timeout: 120000 });
};
