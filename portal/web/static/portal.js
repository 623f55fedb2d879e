/* The portal's few lines of script (no library, nothing loaded from elsewhere: CSP script-src 'self').
 * 1. [data-poll="url"]: reload that element from url every data-poll-every ms until the answer
 *    has no data-poll any more (a finished task's progress bar).
 * 2. form[data-fragment-target="#id"]: submit with fetch and replace only #id's content (search,
 *    paging); without script the same form posts and the whole page is rendered.
 * Both ask for a fragment with the header X-Portal-Fragment: 1; a 401 means the session ended.
 * 3. The header's menu button (button[aria-controls] in .top): on a phone it opens and closes the
 *    navigation (aria-expanded; Escape closes it). The "js" class on <html> is what folds the menu
 *    away on a phone: without script the navigation stays open below the bar.
 */
(function () {
  "use strict";
  var FRAGMENT = { "X-Portal-Fragment": "1" };
  document.documentElement.classList.add("js");

  function fromHtml(html) {
    var box = document.createElement("div");
    box.innerHTML = html;
    return box.firstElementChild;
  }

  function poll(el) {
    var url = el.getAttribute("data-poll");
    var every = parseInt(el.getAttribute("data-poll-every") || "1000", 10);
    window.setTimeout(function () {
      fetch(url, { headers: FRAGMENT, credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 401) { window.location.assign("/login"); return null; }
          return r.ok ? r.text() : null;
        })
        .then(function (html) {
          if (html === null) { poll(el); return; }
          var next = fromHtml(html.trim());
          if (!next) { return; }
          el.replaceWith(next);
          if (next.hasAttribute("data-poll")) { poll(next); }
        })
        .catch(function () { poll(el); });
    }, every);
  }

  function submitFragment(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-fragment-target")) { return; }
    var target = document.querySelector(form.getAttribute("data-fragment-target"));
    if (!target) { return; }
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form, event.submitter || null));
    fetch(form.action, { method: "POST", body: body, headers: FRAGMENT, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { window.location.assign("/login"); return null; }
        return r.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        target.innerHTML = html;
        target.setAttribute("data-updated", String(Date.now()));
      });
  }

  function menu() {
    var button = document.querySelector(".top .menu-button[aria-controls]");
    if (!button) { return; }
    var header = button.closest(".top");
    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    }
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        show(false);
        button.focus();
      }
    });
  }

  document.addEventListener("submit", submitFragment);
  document.addEventListener("DOMContentLoaded", function () {
    menu();
    document.querySelectorAll("[data-poll]").forEach(poll);
  });
})();
