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

  // With JavaScript, messages are toasts: they fade after a while; an error or warning stays until closed.
  document.documentElement.classList.add("js");
  function toastify(root) {
    root.querySelectorAll(".toast:not([data-ready])").forEach(function (toast) {
      toast.dataset.ready = "1";
      if (toast.classList.contains("error") || toast.classList.contains("warning")) {
        var close = document.createElement("button");
        close.type = "button"; close.className = "toast-close"; close.textContent = "×";
        close.setAttribute("aria-label", "Dismiss");
        close.addEventListener("click", function () { toast.remove(); });
        toast.appendChild(close);
      } else {
        setTimeout(function () { toast.remove(); }, 6000);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { toastify(document); });
  document.addEventListener("htmx:oobAfterSwap", function () { toastify(document); });
  document.addEventListener("htmx:afterSettle", function () { toastify(document); });

  // "/" goes to the search box of the page (the global search in the top bar).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target.closest && event.target.closest("input, select, textarea, [contenteditable]")) { return; }
    var box = document.getElementById("global-search");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });

  window.ihf = window.ihf || {};
  window.ihf.focusOn = focusOn;
})();
