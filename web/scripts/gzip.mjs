// Writes X.gz beside every .js, .css, .html, .svg, .json and .txt file under
// the given directory (default dist). The server sends X.gz with
// Content-Encoding: gzip when it is at least as new as X.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(process.argv[2] || 'dist');
const exts = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt']);
let files = 0;
let before = 0;
let after = 0;

function walk(dir) {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, ent.name);
        if (ent.isDirectory()) walk(p);
        else if (ent.isFile() && exts.has(path.extname(ent.name))) {
            const data = fs.readFileSync(p);
            const gz = zlib.gzipSync(data, { level: 9 });
            fs.writeFileSync(p + '.gz', gz);
            // Never older than the original: the server checks the mtimes.
            const st = fs.statSync(p);
            fs.utimesSync(p + '.gz', st.atime, st.mtime);
            files++;
            before += data.length;
            after += gz.length;
        }
    }
}

if (!fs.existsSync(root)) {
    console.error(`gzip: ${root} does not exist`);
    process.exit(1);
}
walk(root);
console.log(`gzip: ${files} files, ${(before / 1024).toFixed(0)} KiB -> ${(after / 1024).toFixed(0)} KiB`);
