// Re-authentication after the idle time (Identity:IdleTimeout). A live Blazor circuit makes no
// HTTP requests, so the session cookie lapses unseen while an unattended tab keeps showing data.
// After the idle time without input, the page reloads: the server sees the lapsed session and asks
// for sign-in again. The server's checks stand on their own; this only ends what it cannot see.
// Input does count as activity: at most once a minute it tells the server (/account/keep-alive),
// and a session found over there (signed out elsewhere, ended by an Admin) reloads the page.
(() => {
  const seconds = Number(document.body?.dataset.idleTimeoutSeconds);
  if (!seconds) {
    return;
  }
  const keepAliveEvery = Math.min(60, seconds / 10) * 1000;
  let lastInput = Date.now();
  let lastKeepAlive = Date.now();
  const keepAlive = async () => {
    lastKeepAlive = Date.now();
    try {
      const response = await fetch('/account/keep-alive', { method: 'POST', credentials: 'same-origin', redirect: 'manual' });
      if (response.type === 'opaqueredirect' || response.status === 401 || response.status === 403) {
        location.reload();
      }
    } catch {
      // Offline for a moment: the circuit's own reconnection deals with it.
    }
  };
  const touch = () => {
    lastInput = Date.now();
    if (lastInput - lastKeepAlive >= keepAliveEvery) {
      keepAlive();
    }
  };
  for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart']) {
    addEventListener(type, touch, { capture: true, passive: true });
  }
  setInterval(() => {
    if (Date.now() - lastInput >= seconds * 1000) {
      location.reload();
    }
  }, 15000);
})();
