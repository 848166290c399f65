/* The menu's "More" is a <details>: it opens and closes without this file.
 * With it, it also behaves like the menus people know, since its list covers
 * the page: Escape closes it and puts focus back on "More", and it closes when
 * focus or a click moves elsewhere. A file of our own: the pages'
 * Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  var more = document.querySelector(".nav-more details");
  if (!more) { return; }
  var summary = more.querySelector("summary");
  more.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && more.open) {
      more.open = false;
      summary.focus();
    }
  });
  more.addEventListener("focusout", function (event) {
    if (more.open && event.relatedTarget && !more.contains(event.relatedTarget)) {
      more.open = false;
    }
  });
  document.addEventListener("click", function (event) {
    if (more.open && !more.contains(event.target)) {
      more.open = false;
    }
  });
})();
