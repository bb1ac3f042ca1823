// The reviewers' offline queue: each score is kept in localStorage before
// it is sent (PUT /evaluations/{id}/scores/{item}, idempotent), and stays
// there until the server has it. A dropped network leaves it queued; the
// browser's 'online' event and a periodic retry send it when the network
// returns. A refusal by the server (4xx) leaves the queue with its message.
import { reactive } from 'vue';
import { request } from '../../api.js';

const KEY = 'safecomm.scoreQueue';

export const queue = reactive({ items: load(), sending: false, online: navigator.onLine, errors: [] });

function load() {
    try {
        const v = JSON.parse(localStorage.getItem(KEY) || '[]');
        return Array.isArray(v) ? v : [];
    } catch {
        return [];
    }
}

function save() {
    localStorage.setItem(KEY, JSON.stringify(queue.items));
}

// Queues one item's score, replacing an older unsent one of the same item.
export function enqueue(evaluationId, itemId, body) {
    const key = `${evaluationId}/${itemId}`;
    queue.items = queue.items.filter((q) => q.key !== key);
    queue.items.push({ key, evaluationId, itemId, body, at: Date.now() });
    save();
    return flush();
}

export function pendingFor(evaluationId, itemId) {
    return queue.items.find((q) => q.key === `${evaluationId}/${itemId}`) || null;
}

// Sends what is queued, oldest first; stops at the first network failure.
export async function flush() {
    if (queue.sending) return;
    // The browser knows it is offline: wait for its 'online' event.
    if (!navigator.onLine) {
        queue.online = false;
        return;
    }
    queue.sending = true;
    try {
        while (queue.items.length) {
            const q = queue.items[0];
            try {
                await request('PUT', `/evaluations/${q.evaluationId}/scores/${q.itemId}`, { body: q.body });
            } catch (e) {
                if (!e.status) {
                    queue.online = false;
                    return;
                }
                queue.errors.push(`${q.key}: ${e.message}`);
            }
            queue.online = true;
            queue.items = queue.items.filter((x) => x !== q);
            save();
        }
    } finally {
        queue.sending = false;
    }
}

let started = false;
export function startQueue() {
    if (started) return;
    started = true;
    window.addEventListener('online', () => {
        queue.online = true;
        flush();
    });
    window.addEventListener('offline', () => {
        queue.online = false;
    });
    setInterval(() => {
        if (queue.items.length) flush();
    }, 5000);
    flush();
}
