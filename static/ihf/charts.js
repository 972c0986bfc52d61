/* Draws IHF's charts from data the server put in <script type="application/json"> (json_script).
   Runs on page load and again on content that htmx swaps in. */
(function () {
  "use strict";
  var BLUE = "#2459d6", GREY = "#98a2b3";

  // Each canvas sits in a box of fixed height (.chart-box): Chart.js fills the box instead of keeping an
  // aspect ratio that the stylesheet then squeezes, and the page does not move when a chart arrives.
  var BASE = {animation: false, responsive: true, maintainAspectRatio: false};

  function options(extra) { return Object.assign({}, BASE, extra); }

  function daily(canvas, data) {
    return new Chart(canvas, {
      type: "bar",
      data: {labels: data.days, datasets: [
        {label: "before the deployment", data: data.before, backgroundColor: GREY},
        {label: "after the deployment", data: data.after, backgroundColor: BLUE}
      ]},
      options: options({scales: {x: {stacked: true, ticks: {maxTicksLimit: 8}}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}}})
    });
  }

  function severities(canvas, data) {
    return new Chart(canvas, {
      type: "bar",
      data: {labels: data.severity_labels, datasets: [
        {label: "Annotations before", data: data.severity_before, backgroundColor: GREY},
        {label: "after", data: data.severity_after, backgroundColor: BLUE}
      ]},
      options: options({scales: {y: {beginAtZero: true, ticks: {precision: 0}}}})
    });
  }

  function health(canvas, data) {
    return new Chart(canvas, {
      type: "line",
      data: {labels: data.labels, datasets: [{label: "Health", data: data.scores, borderColor: BLUE, tension: 0.2}]},
      options: options({scales: {y: {min: 0, max: 100}}})
    });
  }

  var kinds = {daily: daily, severities: severities, health: health};

  function draw(root) {
    if (typeof Chart === "undefined") { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var source = document.getElementById(canvas.dataset.source);
      if (!source || !kinds[canvas.dataset.chart]) { return; }
      canvas.dataset.drawn = "1";
      kinds[canvas.dataset.chart](canvas, JSON.parse(source.textContent));
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
