/* The learning dashboard's trend lines: one line per pattern, from data the server put in
   <script type="application/json"> (json_script). Runs on page load and on panels htmx swaps in. */
(function () {
  "use strict";
  var COLOURS = ["#2459d6", "#d63b24", "#1f9d55", "#b7791f", "#805ad5", "#319795", "#98a2b3", "#d53f8c"];

  function trend(canvas, data) {
    var days = [];
    data.series.forEach(function (s) { s.points.forEach(function (p) { if (days.indexOf(p.t) < 0) { days.push(p.t); } }); });
    days.sort();
    var datasets = data.series.map(function (s, i) {
      var byDay = {};
      s.points.forEach(function (p) { byDay[p.t] = p.value === null ? null : Math.round(p.value * 100); });
      return {label: s.pattern, data: days.map(function (d) { return d in byDay ? byDay[d] : null; }),
              borderColor: COLOURS[i % COLOURS.length], spanGaps: true, tension: 0.2};
    });
    return new Chart(canvas, {
      type: "line",
      data: {labels: days.map(function (d) { return d.slice(0, 10); }), datasets: datasets},
      options: {animation: false, responsive: true,
                scales: {y: {min: 0, max: 100, title: {display: true, text: "worked, % of observed"}}}}
    });
  }

  function draw(root) {
    if (typeof Chart === "undefined") { return; }
    root.querySelectorAll("canvas[data-chart=trend]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var source = document.getElementById(canvas.dataset.source);
      if (!source) { return; }
      canvas.dataset.drawn = "1";
      trend(canvas, JSON.parse(source.textContent));
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
