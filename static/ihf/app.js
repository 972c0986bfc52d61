/* IHF's page behaviour beyond htmx. Every page works without it. */
(function () {
  "use strict";

  function focusOn(element) {
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  // After htmx replaces the element that had the focus, the browser drops focus to <body> and a keyboard
  // or screen reader user loses their place. Focus goes to an invalid field or error the swap brought, else to the new
  // version of what had it (the nearest element with the same id), else to the swapped content.
  var hadFocus = null, hadFocusId = null;
  document.addEventListener("htmx:beforeSwap", function () {
    hadFocus = document.activeElement;
    var holder = hadFocus && hadFocus.closest ? hadFocus.closest("[id]") : null;
    hadFocusId = holder ? holder.id : null;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var lost = hadFocus && hadFocus !== document.body && !document.body.contains(hadFocus);
    var id = hadFocusId;
    hadFocus = hadFocusId = null;
    if (!lost) { return; }
    var swapped = event.detail.target;
    var target = document.body.contains(event.target) ? event.target
      : (swapped && swapped.id && document.getElementById(swapped.id)) || document.getElementById("main");
    var error = target.querySelector("[aria-invalid=true]") || target.querySelector("[role=alert], .errors, .error");
    focusOn(error || (id && document.getElementById(id)) || target);
  });

  window.ihf = window.ihf || {};
  window.ihf.focusOn = focusOn;
})();
