import { ref, customRef } from 'vue';
import { ElMessage } from 'element-plus';

// Shows an API error unless it is one the app already handles (a lost
// session goes to the login page, a pending password change to its page).
export function showError(e, prefix) {
    if (!e) return;
    if (e.name === 'AbortError') return;
    if (e.status === 401 || e.code === 'password_change_required') return;
    const msg = e.message || String(e);
    ElMessage.error(prefix ? `${prefix}：${msg}` : msg);
}

const mq = typeof window !== 'undefined' ? window.matchMedia('(max-width: 768px)') : null;
const mobile = ref(mq ? mq.matches : false);
if (mq) mq.addEventListener('change', (e) => (mobile.value = e.matches));

export function useMobile() {
    return mobile;
}

export function formatDateTime(s) {
    if (!s) return '';
    // 2025-03-05T09:30:00+08:00 → 2025-03-05 09:30:00
    return String(s).replace('T', ' ').replace(/([+-]\d\d:\d\d|Z)$/, '');
}


const ACTIONS = {
    create: ['新增', 'success'],
    update: ['修改', 'primary'],
    delete: ['删除', 'danger'],
    reveal: ['查看敏感信息', 'warning'],
    read: ['查看', 'info'],
    import: ['导入', 'success'],
    export: ['导出', 'info'],
    transition: ['流转', 'primary'],
    login: ['登录', 'info'],
    logout: ['退出', 'info'],
    password_change: ['修改密码', 'warning'],
    reset_password: ['重置密码', 'warning'],
};
// A login name as people read it: the system's own records say 系统.
export function personName(login) {
    if (!login || login === 'system' || login === 'demo' || login === 'migrate') return '系统';
    return login;
}
export function actionLabel(a) {
    return (ACTIONS[a] && ACTIONS[a][0]) || a;
}
export function actionType(a) {
    return (ACTIONS[a] && ACTIONS[a][1]) || 'info';
}

// Only paths of this app, never the login page itself or another origin.
export function safeRedirect(r) {
    return typeof r === 'string' && r.startsWith('/') && !r.startsWith('//') && !r.startsWith('/login') ? r : '/';
}

// A loading flag for v-loading that shows the mask only for requests slower
// than 250 ms and then keeps it at least 400 ms. Element Plus's mask can stay
// stuck when its leave transition starts while the enter one still runs (a
// quick request), and a mask that flashes for a few milliseconds helps no one.
export function loadingRef() {
    let shown = false;
    let want = false;
    let showTimer = null;
    let hideTimer = null;
    let shownAt = 0;
    return customRef((track, trigger) => ({
        get() {
            track();
            return shown;
        },
        set(v) {
            want = !!v;
            if (want) {
                clearTimeout(hideTimer);
                hideTimer = null;
                if (!shown && !showTimer)
                    showTimer = setTimeout(() => {
                        showTimer = null;
                        if (!want) return;
                        shown = true;
                        shownAt = Date.now();
                        trigger();
                    }, 250);
            } else {
                clearTimeout(showTimer);
                showTimer = null;
                if (shown && !hideTimer)
                    hideTimer = setTimeout(() => {
                        hideTimer = null;
                        if (want) return;
                        shown = false;
                        trigger();
                    }, Math.max(0, 400 - (Date.now() - shownAt)));
            }
        },
    }));
}

// The URL of an uploaded file (a photo) by its id, the SHA-256 of its bytes.
export function fileUrl(id) {
    return `/api/v1/files/${encodeURIComponent(id)}`;
}
