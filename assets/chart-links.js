/* "Copy link" and "Embed" in each chart's toolbar (components/chart_tools.py).
 *
 * The address of a chart is the dashboard's own view: chart/<name>.png (.svg, .csv, .xlsx) and
 * embed/<name>, followed by the query string in the address bar (components/chart_links.py serves
 * them). Presentation mode's present= and slide= are left out: they belong to the page, not a chart.
 * The button writes the address (or an <iframe> for it) into the card's share panel, selects it and
 * copies it to the clipboard where the browser allows; the panel stays open to copy by hand.
 */
(function () {
  "use strict";

  function dashboardBase() {
    var path = window.location.pathname;
    return window.location.origin + path.slice(0, path.lastIndexOf("/") + 1);
  }

  function viewQuery() {
    var parts = window.location.search.replace(/^\?/, "").split("&").filter(function (part) {
      var key = decodeURIComponent(part.split("=")[0] || "").toLowerCase();
      return part && key !== "present" && key !== "slide";
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function copy(field, status) {
    field.focus();
    field.select();
    var done = function () { status.textContent = "Copied to the clipboard."; };
    var byHand = function () { status.textContent = "Selected: press Ctrl+C (or ⌘C) to copy."; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(done, byHand);
    else byHand();
  }

  function open(button) {
    var key = button.getAttribute("data-chart");
    var kind = button.getAttribute("data-share");
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (!key || !panel) return;
    var wasOpen = !panel.hidden && panel.getAttribute("data-kind") === kind;
    document.querySelectorAll('[data-chart="' + key + '"][data-share]').forEach(function (b) {
      b.setAttribute("aria-expanded", "false");
    });
    panel.textContent = "";
    panel.hidden = wasOpen;
    if (wasOpen) return;
    panel.setAttribute("data-kind", kind);
    button.setAttribute("aria-expanded", "true");

    var base = dashboardBase();
    var query = viewQuery();
    var page = base + "embed/" + key + query;
    var fieldId = panel.id + "-field";
    var status = element("span", { role: "status", "class": "chart-share-status" });
    var field;
    if (kind === "embed") {
      var height = key === "map" || key === "trend" ? 500 : 440;
      var title = button.getAttribute("data-title") || key;
      var code = '<iframe src="' + page.replace(/&/g, "&amp;").replace(/"/g, "&quot;") + '" title="' +
        title.replace(/&/g, "&amp;").replace(/"/g, "&quot;") + '" width="100%" height="' + height +
        '" style="border:0" loading="lazy"></iframe>';
      panel.appendChild(element("label", { "for": fieldId }, "Code to embed this chart, live, in a web page"));
      field = element("textarea", { id: fieldId, readonly: "", rows: "3", "class": "form-control form-control-sm" });
      field.value = code;
    } else {
      panel.appendChild(element("label", { "for": fieldId }, "Link to this chart, with the filters on screen"));
      field = element("input", { id: fieldId, type: "text", readonly: "", "class": "form-control form-control-sm" });
      field.value = page;
    }
    panel.appendChild(field);
    var files = element("p", { "class": "chart-share-files" }, "The same chart as a file: ");
    [["png", "PNG"], ["svg", "SVG"], ["csv", "CSV"], ["xlsx", "Excel"]].forEach(function (format, i) {
      if (i) files.appendChild(document.createTextNode(" · "));
      files.appendChild(element("a", { href: base + "chart/" + key + "." + format[0] + query }, format[1]));
    });
    panel.appendChild(files);
    panel.appendChild(status);
    copy(field, status);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-share][data-chart]");
    if (button) open(button);
  });
})();
