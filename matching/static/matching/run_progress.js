// Polls the run's progress while it runs and reloads the page when it ends;
// then, if the run had floors, while the price of fairness is worked out (a
// task after the run), and reloads the page once more when it is stored.
// Without JavaScript the page has a plain "Refresh this page" link instead.
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box) { return; }
  var finished = box.getAttribute("data-finished") === "1";
  var pricePending = box.getAttribute("data-price-pending") === "1";
  if (finished && !pricePending) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("run-progress-bar");
  var status = document.getElementById("run-status");
  var message = document.getElementById("run-message");
  var percent = document.getElementById("run-percent");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (!finished) {
          bar.value = data.progress;
          bar.textContent = data.progress + "%";
          status.textContent = data.status_display;
          if (message) { message.textContent = data.message || ""; }
          percent.textContent = data.progress;
        }
        if ((data.finished && !finished) || (pricePending && !data.price_pending)) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 1000);
})();
