// A running schedule version's admin page: fetch the figures every two seconds and, once
// the run has ended, reload the page to show its meetings (no inline script: CSP).
document.addEventListener("DOMContentLoaded", () => {
  const poll = () => {
    const panel = document.getElementById("schedule-progress");
    if (!panel || !panel.dataset.running) return;
    fetch(panel.dataset.progressUrl, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const next = new DOMParser().parseFromString(html, "text/html").getElementById("schedule-progress");
        if (!next) return;
        if (!next.dataset.running) {
          window.location.reload();
          return;
        }
        panel.replaceWith(next);
        window.setTimeout(poll, 2000);
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  window.setTimeout(poll, 2000);
});
