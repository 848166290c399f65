// Keeps a running import's progress line and bar up to date in place, in
// place of a <meta http-equiv="refresh">: a page that reloads itself every
// few seconds moves focus and the reading position (WCAG 2.2.1; axe's
// meta-refresh rule). When the job ends the page loads once, with its report.
(function () {
  "use strict";
  var status = document.getElementById("import-progress");
  var bar = document.getElementById("import-progress-bar");
  var every = status ? Number(status.getAttribute("data-refresh")) : 0;
  if (!every || !window.fetch || !window.DOMParser) {
    return;
  }
  function again() {
    window.setTimeout(poll, every * 1000);
  }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var line = page.getElementById("import-progress");
        if (!line || !line.getAttribute("data-refresh")) {
          window.location.reload();
          return;
        }
        if (line.textContent !== status.textContent) {
          status.textContent = line.textContent;
        }
        var next = page.getElementById("import-progress-bar");
        if (bar && next) {
          bar.value = next.value;
          bar.textContent = next.textContent;
        }
        again();
      })
      .catch(again);
  }
  again();
})();
