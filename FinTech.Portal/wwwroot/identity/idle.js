// Re-authentication after the idle time (Identity:IdleTimeout). A live Blazor circuit makes no
// HTTP requests, so the session cookie lapses unseen while an unattended tab keeps showing data.
// After the idle time without input, the page reloads: the server sees the lapsed cookie and asks
// for sign-in again. The server's checks stand on their own; this only ends what it cannot see.
(() => {
  const seconds = Number(document.body?.dataset.idleTimeoutSeconds);
  if (!seconds) {
    return;
  }
  let lastInput = Date.now();
  const touch = () => { lastInput = Date.now(); };
  for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart']) {
    addEventListener(type, touch, { capture: true, passive: true });
  }
  setInterval(() => {
    if (Date.now() - lastInput >= seconds * 1000) {
      location.reload();
    }
  }, 15000);
})();
