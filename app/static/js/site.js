// Small enhancements on top of htmx; every page works without this file.
(function () {
  "use strict";

  // After a boosted page change, move focus to the new page's main content (or its error
  // summary), as a full page load would, so keyboard and screen-reader users are not lost.
  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail || {};
    if (!detail.boosted) {
      // A form answered in place (the questionnaire, the cart): its error summary takes focus.
      var summary = document.getElementById("foutoverzicht");
      if (summary && event.target && event.target.contains && event.target.contains(summary)) {
        summary.focus();
      }
      return;
    }
    var target = document.getElementById("foutoverzicht") || document.getElementById("inhoud");
    if (target) {
      target.focus({ preventScroll: false });
    }
  });

  // After a choice in the cookie banner: the settings layer takes focus when it arrives, and
  // when the banner is answered away focus moves to the page's content instead of being lost
  // with it (moved before the swap: the old banner's own events no longer reach us after it).
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.id === "cookiebanner") {
      event.target.focus();
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail || {};
    var content = document.getElementById("inhoud");
    if (detail.target && detail.target.id === "cookiebanner" && !detail.serverResponse && content) {
      content.focus();
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
