// Small enhancements on top of htmx; every page works without this file.
(function () {
  "use strict";

  // After a boosted page change, move focus to the new page's main content (or its error
  // summary), as a full page load would, so keyboard and screen-reader users are not lost.
  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail || {};
    if (!detail.boosted) {
      return;
    }
    var target = document.getElementById("foutoverzicht") || document.getElementById("inhoud");
    if (target) {
      target.focus({ preventScroll: false });
    }
  });

  // On a page load with an error summary, put focus on it; otherwise, while the cookie banner
  // asks for a choice, move focus into it so keyboard and screen-reader users meet it first.
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.getElementById("foutoverzicht") || document.getElementById("cookiebanner");
    if (target) {
      target.focus();
    }
  });
})();
