/* The embed page (/embed/<name>, components/chart_links.py): draw its one chart with plotly.js.
 *
 * The figure and plotly's options come as JSON data blocks in the page, so the page needs no
 * inline script. This file lives in assets/embed/, which the dashboard's own page does not load.
 */
(function () {
  "use strict";

  function read(id) {
    var block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  function draw() {
    var target = document.getElementById("embed-chart");
    var figure = read("embed-figure");
    if (!target || !figure || !window.Plotly) return;
    var layout = figure.layout || {};
    // The frame sets the width; the chart keeps the height it has on the dashboard.
    delete layout.width;
    window.Plotly.newPlot(target, figure.data || [], layout, read("embed-config") || {});
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
