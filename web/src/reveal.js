// Values revealed in this page's life (never stored): "entity/id" → fields.
import { reactive } from 'vue';

export const revealed = reactive({});

export function forgetRevealed() {
    for (const k of Object.keys(revealed)) delete revealed[k];
}
