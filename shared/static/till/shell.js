// The service worker (/till/sw.js, config/till_shell.py) that keeps this page and its modules, so the
// till reloads while the server cannot be reached (docs/TILL.md, "Reloading offline"). It needs a
// secure context (HTTPS, or localhost); without one the till still works, it just cannot reload offline.
export function registerShell() {
  const url = document.body.dataset.serviceWorker;
  if (!url || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(url).catch((error) => console.warn("Till service worker not registered:", error));
}
