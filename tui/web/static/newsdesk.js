// The page's own behaviour, kept out of the HTML so the Content-Security-Policy can
// refuse every inline script. "Start" and "Restart" reload the page (a new session).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.restart")) {
    button.addEventListener("click", () => {
      window.location.href = window.location.pathname + window.location.search;
    });
  }
});
