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

  // After a choice in the cookie banner: the settings layer takes focus when it opens, and
  // when the banner goes away focus moves to the page's content instead of getting lost. (The
  // old banner is gone from the page by then, so its own events no longer reach us.)
  document.addEventListener("htmx:beforeSwap", function (event) {
    var swapped = (event.detail || {}).target;
    if (!swapped || swapped.id !== "cookiebanner") {
      return;
    }
    window.setTimeout(function () {
      var target = document.getElementById("cookiebanner") || document.getElementById("inhoud");
      if (target) {
        target.focus();
      }
    }, 50);
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
