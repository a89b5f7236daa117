/* Names and roles for the filter dropdowns, for screen readers and keyboard users.
 *
 * Dash's dropdown takes keyboard focus on a helper input marked aria-hidden (which hands it on to
 * the dropdown's button), and names the button after the chosen values only, so nothing says which
 * filter it is. Here the helper input becomes a labelled combobox and the button is named by the
 * filter's label and its own text. Dash re-renders the dropdowns as the view changes, so this runs
 * again after every change to the page.
 */
(function () {
  "use strict";

  function labelOf(button) {
    var label = document.querySelector('label[for="' + button.id + '"]');
    if (!label) return null;
    if (!label.id) label.id = button.id + "-label";
    return label.id;
  }

  function patch() {
    var wrappers = document.querySelectorAll(".dash-dropdown-wrapper");
    for (var i = 0; i < wrappers.length; i++) {
      var input = wrappers[i].querySelector(".dash-dropdown-focus-target");
      var button = wrappers[i].querySelector("button.dash-dropdown");
      if (!input || !button || !button.id) continue;
      var label = labelOf(button);
      var names = [label, button.id + "-value", button.id + "-value-count"]
        .filter(function (id) { return id && document.getElementById(id); })
        .join(" ");
      if (input.hasAttribute("aria-hidden")) input.removeAttribute("aria-hidden");
      if (input.getAttribute("role") !== "combobox") input.setAttribute("role", "combobox");
      if (input.getAttribute("aria-haspopup") !== "listbox") input.setAttribute("aria-haspopup", "listbox");
      var expanded = button.getAttribute("aria-expanded") || "false";
      if (input.getAttribute("aria-expanded") !== expanded) input.setAttribute("aria-expanded", expanded);
      if (input.getAttribute("aria-labelledby") !== names) input.setAttribute("aria-labelledby", names);
      // Focus moves on from the helper input to the button: its name is the filter's label followed by
      // everything written on it ("State Oklahoma Texas 2 selected"), so speech matches the screen.
      var labelText = label ? document.getElementById(label).textContent.trim() : "";
      var buttonName = (labelText + " " + button.textContent.trim()).trim();
      if (button.hasAttribute("aria-labelledby")) button.removeAttribute("aria-labelledby");
      if (button.getAttribute("aria-label") !== buttonName) button.setAttribute("aria-label", buttonName);
    }
  }

  // A range slider's two number boxes (for typing a year) carry no name: "Years, from" and "Years, to".
  function nameRangeInputs() {
    var boxes = document.querySelectorAll("input.dash-range-slider-input");
    for (var i = 0; i < boxes.length; i++) {
      var slider = boxes[i].closest(".dash-slider-container");
      var label = slider && slider.id ? document.querySelector('label[for="' + slider.id + '"]') : null;
      var which = boxes[i].classList.contains("dash-range-slider-max-input") ? "to" : "from";
      var name = (label ? label.textContent.trim() + ", " : "") + which;
      if (boxes[i].getAttribute("aria-label") !== name) boxes[i].setAttribute("aria-label", name);
    }
  }

  var queued = false;
  function schedule() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(function () {
      queued = false;
      patch();
      nameRangeInputs();
    });
  }

  function start() {
    patch();
    nameRangeInputs();
    new MutationObserver(schedule).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["aria-expanded", "aria-hidden"],
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
