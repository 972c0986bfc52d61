/* The triage board with JavaScript: card actions in one dialog, keys (j/k, a, s, d, x, ?), drag and drop
   between columns (SortableJS) and the bulk selection count. Without it, each card's Actions link opens
   a page with the same forms, and every move goes through the same server checks. */
(function () {
  "use strict";

  var dialog = document.getElementById("actions-dialog");
  var body = document.getElementById("actions-body");
  var keys = document.getElementById("keys-dialog");
  if (!dialog || !body || typeof htmx === "undefined") { return; }

  function cards() { return Array.prototype.slice.call(document.querySelectorAll("#board article.candidate")); }
  function currentCard() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("article.candidate") : null;
  }
  function boardQuery() { return window.location.search.replace(/^\?/, ""); }

  function openActions(card, focusKey) {
    if (!card) { return; }
    var url = card.dataset.actionsUrl + (boardQuery() ? "?" + boardQuery() : "");
    dialog.dataset.card = card.id;
    htmx.ajax("GET", url, {target: body, swap: "innerHTML"}).then(function () {
      if (!dialog.open) { dialog.showModal(); }
      var first = focusKey && body.querySelector("[data-key='" + focusKey + "']");
      (first || body.querySelector("select, input:not([type=hidden]), button") || body).focus();
    });
  }

  // Actions links open the dialog (their href is the page without JavaScript).
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.card-actions") : null;
    if (!link) { return; }
    event.preventDefault();
    openActions(link.closest("article.candidate"));
  });

  // A form in the dialog that worked: its answer is the changed columns (out of band) and a toast, so the
  // dialog closes and focus goes back to the card it was about. (beforeSwap: the swap then removes the
  // form, and events of a removed element no longer reach the document.)
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!form || !form.matches || !form.matches("form[data-dialog-form]") || event.detail.xhr.status >= 300) { return; }
    var cardId = dialog.dataset.card;
    dialog.close();
    document.addEventListener("htmx:afterSettle", function back() {
      document.removeEventListener("htmx:afterSettle", back);
      var card = cardId && document.getElementById(cardId);
      if (card) { card.querySelector("h3 a").focus(); }
    });
  });

  // Keys, when no field has the focus.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target.closest && target.closest("input, select, textarea, [contenteditable], dialog[open]")) { return; }
    var list = cards(), card = currentCard(), index = card ? list.indexOf(card) : -1;
    var key = event.key;
    if (key === "j" || key === "k") {
      var next = list[key === "j" ? Math.min(index + 1, list.length - 1) : Math.max(index - 1, 0)];
      if (next) { next.querySelector("h3 a").focus(); event.preventDefault(); }
    } else if ((key === "a" || key === "s" || key === "d") && card) {
      event.preventDefault();
      openActions(card, key);
    } else if (key === "x" && card) {
      var pick = card.querySelector("input.pick");
      if (pick) { pick.click(); event.preventDefault(); }
    } else if (key === "?") {
      event.preventDefault();
      keys.showModal();
    }
  });

  // How many cards are selected for the bulk form.
  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches("input.pick")) { return; }
    var count = document.getElementById("bulk-count");
    var n = document.querySelectorAll("input.pick:checked").length;
    if (count) { count.textContent = n ? n + " selected" : ""; }
  });

  // Drag and drop between columns posts the same transition as the Move form; the answer replaces the
  // columns it changed, or (refused) puts the card back in its column with the reason as a toast.
  function sortable(root) {
    if (typeof Sortable === "undefined") { return; }
    root.querySelectorAll(".board .cards").forEach(function (list) {
      if (list.dataset.sortable) { return; }
      list.dataset.sortable = "1";
      Sortable.create(list, {
        // forceFallback: pointer events rather than the browser's native drag and drop, the same on every
        // browser and under test.
        group: "board", sort: false, draggable: "article.candidate[data-transition-url]", animation: 0,
        forceFallback: true, filter: "a, input, button", preventOnFilter: false,
        onEnd: function (event) {
          var card = event.item, to = event.to.dataset.status, from = event.from.dataset.status;
          // Sortable leaves style attributes behind; htmx would copy them onto the new card, which the
          // Content-Security-Policy refuses.
          [event.from, event.to].forEach(function (list) {
            list.querySelectorAll("[style]").forEach(function (e) { e.removeAttribute("style"); });
          });
          if (to === from) { return; }
          htmx.ajax("POST", card.dataset.transitionUrl, {
            source: card, swap: "none",
            values: {target: to, expected_status: from, board_query: boardQuery(), return_to: "board"}
          });
        }
      });
    });
  }
  function setUp() { sortable(document); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); } else { setUp(); }
  document.addEventListener("htmx:afterSettle", function () { sortable(document); });
})();
