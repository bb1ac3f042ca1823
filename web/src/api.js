// The one way the UI talks to the server: fetch (and XMLHttpRequest for
// uploads with progress) against /api/v1 with the session cookie. Unsafe
// methods carry X-CSRF-Token, which lives only in memory (the cookie is
// HttpOnly); a reload fetches it again with GET /session.
//
// A 401 on anything but the session calls means the session ended: the
// registered handler saves drafts and sends the user to the login page. A 403
// password_change_required sends them to the forced password change.

const BASE = '/api/v1';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = null;
const handlers = { unauthorized: null, passwordChange: null };

export function setCsrf(token) {
    csrfToken = token || null;
}

export function onUnauthorized(fn) {
    handlers.unauthorized = fn;
}

export function onPasswordChange(fn) {
    handlers.passwordChange = fn;
}

export class ApiError extends Error {
    constructor(status, body, fallback) {
        const err = (body && body.error) || {};
        super(err.message || fallback || `请求失败（HTTP ${status}）`);
        this.status = status;
        this.code = err.code || (status ? `http_${status}` : 'network');
        this.fields = err.fields || null;
        this.body = body || null;
    }
}

// Builds "?a=1&b=2" from an object, leaving out empty values.
export function queryString(query) {
    if (!query) return '';
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
        if (v === undefined || v === null || v === '') continue;
        if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
        else p.append(k, String(v));
    }
    const s = p.toString();
    return s ? `?${s}` : '';
}

export function apiUrl(path, query) {
    return BASE + path + queryString(query);
}

// The session calls answer 401 for wrong credentials, not for a lost session.
function isSessionCall(path) {
    return path === '/session' || path.startsWith('/session/') || path.startsWith('/session?');
}

function notify(status, code, path) {
    if (status === 401 && !isSessionCall(path) && handlers.unauthorized) handlers.unauthorized();
    else if (status === 403 && code === 'password_change_required' && handlers.passwordChange)
        handlers.passwordChange();
}

async function parseBody(res) {
    const type = res.headers.get('Content-Type') || '';
    if (type.includes('application/json')) {
        try {
            return await res.json();
        } catch {
            return null;
        }
    }
    return null;
}

export function filenameFrom(res, fallback) {
    const cd = res.headers.get('Content-Disposition') || '';
    let m = /filename\*=UTF-8''([^;]+)/i.exec(cd);
    if (m) {
        try {
            return decodeURIComponent(m[1]);
        } catch {
            /* fall through */
        }
    }
    m = /filename="?([^";]+)"?/i.exec(cd);
    return m ? m[1] : fallback;
}

// request('GET', '/volunteers', {query}) → parsed JSON (null for 204).
// opts.blob: resolve {blob, filename} instead of JSON.
export async function request(method, path, opts = {}) {
    const headers = { Accept: 'application/json' };
    let body;
    if (opts.body !== undefined) {
        if (opts.body instanceof FormData || opts.body instanceof Blob) body = opts.body;
        else {
            headers['Content-Type'] = 'application/json';
            body = JSON.stringify(opts.body);
        }
    }
    if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
    let res;
    try {
        res = await fetch(apiUrl(path, opts.query), {
            method,
            headers,
            body,
            credentials: 'same-origin',
            signal: opts.signal,
        });
    } catch (e) {
        if (e && e.name === 'AbortError') throw e;
        throw new ApiError(0, null, '无法连接服务器，请检查网络');
    }
    if (res.ok && opts.blob) {
        const blob = await res.blob();
        return { blob, filename: filenameFrom(res, opts.filename || 'download') };
    }
    const data = res.status === 204 ? null : await parseBody(res);
    if (!res.ok) {
        const err = new ApiError(res.status, data);
        notify(res.status, err.code, path);
        throw err;
    }
    return data;
}

export const api = {
    get: (path, query, opts) => request('GET', path, { ...opts, query }),
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    put: (path, body, opts) => request('PUT', path, { ...opts, body }),
    patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
    del: (path, opts) => request('DELETE', path, opts),
};

// Uploads a file as multipart field "file" with progress callbacks
// (onProgress(percent)); resolves the JSON answer. A 422 import_failed answer
// also resolves (with failed: true) because it carries the row report.
export function upload(path, file, { query, onProgress } = {}) {
    return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', apiUrl(path, query));
        xhr.withCredentials = true;
        xhr.setRequestHeader('Accept', 'application/json');
        if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
        xhr.upload.onprogress = (ev) => {
            if (ev.lengthComputable && onProgress) onProgress(Math.round((ev.loaded / ev.total) * 100));
        };
        xhr.onerror = () => reject(new ApiError(0, null, '上传失败：无法连接服务器'));
        xhr.onload = () => {
            let data = null;
            try {
                data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
            } catch {
                data = null;
            }
            if (xhr.status >= 200 && xhr.status < 300) {
                resolve({ ...data, failed: false });
                return;
            }
            const err = new ApiError(xhr.status, data);
            if (xhr.status === 422 && data && Array.isArray(data.rows)) {
                resolve({ ...data, failed: true, message: err.message });
                return;
            }
            notify(xhr.status, err.code, path);
            reject(err);
        };
        const fd = new FormData();
        fd.append('file', file, file.name);
        xhr.send(fd);
    });
}

// Hands a blob to the browser as a download.
export function saveBlob(blob, filename) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export async function download(path, query, fallbackName) {
    const { blob, filename } = await request('GET', path, { query, blob: true, filename: fallbackName });
    saveBlob(blob, filename);
    return { size: blob.size, filename };
}
