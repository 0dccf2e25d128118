// Progressive enhancement only: every journey works without this file.
import { initAll } from './govuk-frontend.min.js';
import { initAll as initMoj } from './moj-frontend.min.js';

initAll();
initMoj();

// Timeout warning (GOV.UK pattern): a modal dialog two minutes before the idle session ends,
// with a button that keeps the session (a GET of /session/keep-alive) and a live countdown.
const body = document.body;
const idleSeconds = Number(body.dataset.sessionIdleSeconds || 0);
const dialog = document.getElementById('timeout-warning');
if (idleSeconds > 0 && dialog && typeof dialog.showModal === 'function') {
  const warnBefore = Math.min(120, Math.floor(idleSeconds / 2));
  const countdown = dialog.querySelector('[data-countdown]');
  let deadline = Date.now() + idleSeconds * 1000;
  let timer;
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (left === 0) {
      window.location.href = '/sign-in?timedOut=1';
      return;
    }
    if (left <= warnBefore && !dialog.open) dialog.showModal();
    if (countdown && dialog.open) {
      const m = Math.floor(left / 60);
      const s = left % 60;
      countdown.textContent = m > 0 ? `${m} minute${m === 1 ? '' : 's'} ${s} second${s === 1 ? '' : 's'}` : `${s} second${s === 1 ? '' : 's'}`;
    }
    timer = setTimeout(tick, 1000);
  };
  dialog.querySelector('[data-keep-alive]')?.addEventListener('click', async () => {
    const res = await fetch('/session/keep-alive', { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (res.ok) {
      deadline = Date.now() + idleSeconds * 1000;
      dialog.close();
    } else {
      window.location.href = '/sign-in?timedOut=1';
    }
  });
  timer = setTimeout(tick, 1000);
  window.addEventListener('pagehide', () => clearTimeout(timer));
}
