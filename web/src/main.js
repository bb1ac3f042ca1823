import { createApp } from 'vue';
import ElementPlus, { ElMessage } from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'element-plus/dist/index.css';
import './styles.css';

import App from './App.vue';
import router from './router.js';
import { onUnauthorized, onPasswordChange } from './api.js';
import { state, saveDrafts, clearSession } from './store.js';
import { registerIcons } from './icons.js';
import { installA11y } from './a11y.js';

dayjs.locale('zh-cn');

// The session ended (expired, revoked, logged out elsewhere): keep what was
// being typed, then go to the login page and come back here afterwards.
let leaving = false;
onUnauthorized(() => {
    if (!state.user || leaving) return;
    leaving = true;
    saveDrafts();
    const back = router.currentRoute.value.fullPath;
    clearSession();
    state.expired = true;
    ElMessage.warning('登录已过期，请重新登录');
    router.push({ name: 'login', query: { redirect: back } }).finally(() => {
        leaving = false;
    });
});

onPasswordChange(() => {
    if (!state.user) return;
    state.user.must_change_password = true;
    const cur = router.currentRoute.value;
    if (cur.name !== 'password') router.push({ name: 'password', query: { redirect: cur.fullPath } });
});

const app = createApp(App);
app.use(ElementPlus, { locale: zhCn });
registerIcons(app);
app.use(router);
app.mount('#app');
installA11y();
