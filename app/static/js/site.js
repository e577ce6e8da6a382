// Small enhancements on top of htmx; every page works without this file.
(function () {
  "use strict";

  // Where focus goes after something changed, first match wins: the error summary, then a
  // message saying what happened (a flashed message, or an element marked data-zg-focus).
  // data-zg-focus="swap" marks what takes focus only when its part of the page was swapped in
  // (the heading of the next step), not when the whole page loads.
  var ON_PAGE = ["#foutoverzicht", "[data-zg-focus]:not([data-zg-focus='swap'])", ".zg-messages"];
  var ON_SWAP = ["#foutoverzicht", "[data-zg-focus]", ".zg-messages"];

  function messageIn(root, selectors) {
    var list = selectors || ON_PAGE;
    for (var i = 0; i < list.length; i++) {
      if (root.matches && root.matches(list[i])) {
        return root;
      }
      var found = root.querySelector(list[i]);
      if (found) {
        return found;
      }
    }
    return null;
  }

  // Focus without making the browser jump: an element taller than the screen (the page's main
  // content) would otherwise be scrolled to its middle.
  function focusQuietly(element) {
    element.focus({ preventScroll: true });
  }

  // Focus a message and bring it into view only when it is not (nearest edge, no jump).
  function focusMessage(element) {
    focusQuietly(element);
    element.scrollIntoView({ block: "nearest", behavior: "instant" });
  }

  // After a boosted page change: focus the new page's message or error summary, as a full page
  // load would; otherwise start at the top of the new page (or at the #anchor it asked for)
  // with focus on its main content, so keyboard and screen-reader users are not lost.
  // After a partial swap (a step of the questionnaire, the basket, the banner): focus what the
  // new part says first (its error summary, its message, or its heading marked data-zg-focus),
  // and leave the page where it is.
  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail || {};
    if (detail.boosted) {
      var message = messageIn(document);
      var content = document.getElementById("inhoud");
      if (message) {
        focusMessage(message);
      } else if (content) {
        var anchor = window.location.hash && document.getElementById(window.location.hash.slice(1));
        if (!anchor) {
          window.scrollTo({ top: 0, behavior: "instant" });
        }
        focusQuietly(content);
      }
      return;
    }
    // Only when focus went with the old part (or is in the new one): someone who already
    // moved on, say into a search field, keeps typing there.
    var swapped = event.target;
    if (!swapped || !swapped.isConnected || swapped === document.body) {
      return;
    }
    var active = document.activeElement;
    var lost = !active || active === document.body || swapped.contains(active);
    var inside = lost && messageIn(swapped, ON_SWAP);
    if (inside) {
      // A new part that starts above the screen is shown from its start (a step's progress
      // above its heading), then its message or heading takes focus.
      if (swapped.getBoundingClientRect().top < 0) {
        swapped.scrollIntoView({ block: "start", behavior: "instant" });
      }
      focusMessage(inside);
    }
  });

  // The banner's settings layer takes focus when it arrives (it is a new part of the page).
  document.addEventListener("htmx:load", function (event) {
    var active = document.activeElement;
    var free = !active || active === document.body;
    if (free && event.target && event.target.id === "cookiebanner") {
      focusQuietly(event.target);
    }
  });

  // On a page load: focus the error summary or a message about what just happened; otherwise,
  // while the cookie banner asks for a choice, move focus into it so keyboard and
  // screen-reader users meet it first.
  document.addEventListener("DOMContentLoaded", function () {
    var target = messageIn(document) || document.getElementById("cookiebanner");
    if (target) {
      focusMessage(target);
    }
  });
})();
