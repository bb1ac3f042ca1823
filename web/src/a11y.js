// Accessible names for inputs that have no visible label of their own: the
// two ends of a date range (开始日期/结束日期), search boxes and the
// components' inner inputs. An input keeps the name it has (aria-label,
// aria-labelledby, a <label for>, or a wrapping <label>); otherwise it is
// named after its placeholder, or the label of its form item, or its
// title. Runs on every change of the page, so dialogs and lazily drawn
// tables are covered.
const SEL = 'input:not([type=hidden]), textarea, select';

function hasName(el) {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return true;
    if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) return true;
    return !!el.closest('label');
}

function nameOf(el) {
    if (el.classList.contains('el-range-input')) {
        const inputs = [...el.parentElement.querySelectorAll('.el-range-input')];
        const p = el.getAttribute('placeholder');
        if (p) return p;
        return inputs.indexOf(el) === 0 ? '开始日期' : '结束日期';
    }
    const p = el.getAttribute('placeholder');
    if (p && p.trim()) return p.trim();
    const item = el.closest('.el-form-item');
    const l = item && item.querySelector('.el-form-item__label');
    if (l && l.textContent.trim()) return l.textContent.trim();
    const t = el.getAttribute('title');
    if (t) return t;
    if (el.closest('.el-pagination')) return el.closest('.el-pagination__jump') ? '跳转页码' : '每页条数';
    if (el.closest('.el-select, .el-select__wrapper')) return '选择';
    if (el.type === 'checkbox') return '选择';
    if (el.type === 'radio') return '选项';
    return '';
}

function label(root) {
    for (const el of root.querySelectorAll(SEL)) {
        // A date range's ends: Element Plus gives both the picker's one name.
        if (el.classList.contains('el-range-input')) {
            const n = nameOf(el);
            if (el.getAttribute('aria-label') !== n) el.setAttribute('aria-label', n);
            continue;
        }
        if (hasName(el)) continue;
        const n = nameOf(el);
        if (n) el.setAttribute('aria-label', n);
    }
}

export function installA11y() {
    let queued = false;
    const run = () => {
        queued = false;
        label(document);
    };
    new MutationObserver(() => {
        if (!queued) {
            queued = true;
            requestAnimationFrame(run);
        }
    }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
    run();
}
