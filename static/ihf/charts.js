/* Draws IHF's charts from data the server put in <script type="application/json"> (json_script).
   Runs on page load and again on content that htmx swaps in. */
(function () {
  "use strict";
  var BLUE = "#2459d6", GREY = "#98a2b3";

  function daily(canvas, data) {
    var after = false;
    var before = [], later = [];
    data.days.forEach(function (day, i) {
      if (day >= data.deployed_on) { after = true; }
      before.push(after ? null : data.events[i]);
      later.push(after ? data.events[i] : null);
    });
    return new Chart(canvas, {
      type: "bar",
      data: {labels: data.days, datasets: [
        {label: "Events per day, before", data: before, backgroundColor: GREY},
        {label: "after the deployment", data: later, backgroundColor: BLUE}
      ]},
      options: {animation: false, responsive: true, scales: {x: {stacked: true, ticks: {maxTicksLimit: 8}}, y: {stacked: true, beginAtZero: true}}}
    });
  }

  function severities(canvas, data) {
    return new Chart(canvas, {
      type: "bar",
      data: {labels: data.severity_labels, datasets: [
        {label: "Annotations before", data: data.severity_before, backgroundColor: GREY},
        {label: "after", data: data.severity_after, backgroundColor: BLUE}
      ]},
      options: {animation: false, responsive: true, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}
    });
  }

  function health(canvas, data) {
    return new Chart(canvas, {
      type: "line",
      data: {labels: data.labels, datasets: [{label: "Health", data: data.scores, borderColor: BLUE, tension: 0.2}]},
      options: {animation: false, responsive: true, scales: {y: {min: 0, max: 100}}}
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
