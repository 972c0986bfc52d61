/* The KPI page's weekly trend lines, from the data the server put in #kpi-weekly (json_script). */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("kpi-weekly");
    if (!source || typeof Chart === "undefined") { return; }
    var trends = JSON.parse(source.textContent);
    trends.forEach(function (trend) {
      var canvas = document.querySelector('canvas[data-kpi="' + trend.kpi + '"]');
      if (!canvas) { return; }
      var share = trend.kpi !== "end_to_end_median_hours";
      new Chart(canvas, {
        type: "line",
        data: {
          labels: trend.points.map(function (p) { return p.week; }),
          datasets: [{label: trend.label, data: trend.points.map(function (p) { return share ? p.value * 100 : p.value; }),
                      borderColor: "#2459d6", tension: 0.2}]
        },
        options: {animation: false, responsive: true, maintainAspectRatio: true, aspectRatio: 2.2,
                  plugins: {legend: {display: false}},
                  scales: {y: share ? {min: 0, max: 100, title: {display: true, text: "%"}} : {beginAtZero: true, title: {display: true, text: "hours"}}}}
      });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
