// The submit of a form whose validation is the server's. submit(send) clears
// the previous errors, sets `saving` while send() runs, and reports a failure:
//  - a 422 answer's error.fields go under the fields they name (errors[name],
//    bound to <el-form-item :error>); those the form does not show (not in
//    `fields`, when given) are joined into `formError` ("字段：说明；…").
//    Then invalid(e, other) tells the user, by default a message with the
//    server's text;
//  - a lost session or a pending password change is left to the global
//    handlers (a dialog's draft is kept);
//  - anything else sets formError to the message and shows it.
// submit resolves true when send() succeeded. errorText (a string or a
// function giving one) prefixes the messages shown.
//
//   const { errors, formError, saving, submit } = useSubmit({ fields: () => ['name'], errorText: '保存失败' });
//   submit(async () => { await api.post('/x', body); emit('saved'); });
import { ref, reactive } from 'vue';
import { showError } from '../util.js';

export function useSubmit({ fields = null, errorText = '', invalid = null } = {}) {
    const errors = reactive({});
    const formError = ref('');
    const saving = ref(false);

    function clearErrors() {
        for (const k of Object.keys(errors)) delete errors[k];
        formError.value = '';
    }

    // Field messages found before sending (a client-side check).
    function setErrors(map) {
        clearErrors();
        Object.assign(errors, map);
    }

    function place(fieldErrors) {
        const shown = fields ? new Set(fields()) : null;
        const other = [];
        for (const [k, msg] of Object.entries(fieldErrors)) {
            if (!shown || shown.has(k)) errors[k] = msg;
            else other.push([k, msg]);
        }
        formError.value = other.map(([k, msg]) => `${k}：${msg}`).join('；');
        return other;
    }

    const prefix = () => (typeof errorText === 'function' ? errorText() : errorText);

    async function submit(send) {
        clearErrors();
        saving.value = true;
        try {
            await send();
            return true;
        } catch (e) {
            if (e.status === 422 && e.fields) {
                const other = place(e.fields);
                if (invalid) invalid(e, other);
                else showError(e, prefix());
            } else if (e.status === 401 || e.code === 'password_change_required') {
                /* handled globally */
            } else {
                formError.value = e.message;
                showError(e, prefix());
            }
            return false;
        } finally {
            saving.value = false;
        }
    }

    return { errors, formError, saving, clearErrors, setErrors, submit };
}
