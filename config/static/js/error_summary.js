/* GOV.UK's error summary pattern: after a form comes back with errors, move
 * focus to the summary (tabindex="-1"), so a screen reader reads it first and a
 * keyboard starts from it, instead of from the top of the page. A file of
 * our own: the pages' Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
