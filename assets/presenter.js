/* Presenter tools in the browser (components/presenter.py holds the rest).
 *
 * 1. Two buttons in every chart's toolbar: a PNG at three times the size on screen, and an SVG,
 *    each named after the chart's current title. Plotly's own camera button takes one format and
 *    a file name fixed when the page is built, so these are added to plotly's global
 *    configuration as soon as plotly.js loads (Dash loads it on demand, after this file).
 * 2. Presentation mode: the arrow keys, Page Up/Down and Esc press the presenter bar's buttons, and
 *    the chart on stage is scaled to fill a 16:9 stage (960 x 540 design pixels) in the window.
 */
(function () {
  "use strict";

  var STAGE_WIDTH = 960;
  var STAGE_HEIGHT = 540;
  var KEYS = {
    ArrowRight: "present-next",
    PageDown: "present-next",
    ArrowLeft: "present-previous",
    PageUp: "present-previous",
    Escape: "present-exit",
  };

  /* The same file name as components/slides.py slug(): accents dropped, other runs a dash. */
  function slug(text) {
    var words = String(text || "")
      .replace(/<br\s*\/?>/gi, " ")
      .replace(/<[^>]+>/g, "")
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "");
    return words.slice(0, 80).replace(/-+$/, "") || "chart";
  }

  function titleOf(gd) {
    var title = gd.layout && gd.layout.title;
    return typeof title === "string" ? title : (title && title.text) || "";
  }

  function download(gd, format) {
    var size = gd._fullLayout || {};
    return window.Plotly.downloadImage(gd, {
      format: format,
      scale: format === "png" ? 3 : 1,
      width: size.width,
      height: size.height,
      filename: slug(titleOf(gd)),
    });
  }

  function configure(Plotly) {
    if (!Plotly || !Plotly.setPlotConfig || configure.done) return;
    configure.done = true;
    Plotly.setPlotConfig({
      modeBarButtonsToAdd: [
        {
          name: "download-png",
          title: "Download PNG (3× size)",
          icon: Plotly.Icons.camera,
          click: function (gd) { return download(gd, "png"); },
        },
        {
          name: "download-svg",
          title: "Download SVG",
          icon: Plotly.Icons.disk,
          click: function (gd) { return download(gd, "svg"); },
        },
      ],
    });
  }

  configure(window.Plotly);
  // Dash adds plotly.js as a <script> when the first graph mounts; a capturing listener on the
  // document hears its load before Dash's own handler draws any graph.
  document.addEventListener(
    "load",
    function (event) {
      if (event.target && event.target.tagName === "SCRIPT") configure(window.Plotly);
    },
    true
  );

  function root() {
    return document.getElementById("app-root");
  }

  function presenting() {
    var element = root();
    return !!element && element.classList.contains("presenting");
  }

  function fit() {
    var element = root();
    if (!element) return;
    var bar = element.querySelector(".presenter-bar");
    var free = window.innerHeight - (presenting() && bar ? bar.offsetHeight : 0);
    var scale = Math.min(window.innerWidth / STAGE_WIDTH, free / STAGE_HEIGHT);
    element.style.setProperty("--present-scale", String(Math.max(scale, 0.1)));
  }

  document.addEventListener("keydown", function (event) {
    if (!presenting() || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var id = KEYS[event.key];
    var button = id && document.getElementById(id);
    if (!button) return;
    event.preventDefault();
    button.click();
  });
  window.addEventListener("resize", fit);

  var wasPresenting = false;
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    presenter: {
      /* Runs whenever the page root's class changes: scale the stage and move the focus. */
      modeChanged: function () {
        var now = presenting();
        document.documentElement.classList.toggle("presenting-page", now);
        fit();
        if (now !== wasPresenting) {
          var focus = document.getElementById(now ? "present-next" : "present-toggle");
          if (focus) focus.focus();
        }
        wasPresenting = now;
        return window.dash_clientside.no_update;
      },
    },
  });
})();
