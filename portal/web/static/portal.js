/* The portal's few lines of script (no library, nothing loaded from elsewhere: CSP script-src 'self').
 * 1. [data-poll="url"]: reload that element from url every data-poll-every ms until the answer
 *    has no data-poll any more (a finished task's progress bar).
 * 2. form[data-fragment-target="#id"]: submit with fetch and replace only #id's content (search,
 *    paging); without script the same form posts and the whole page is rendered.
 * Both ask for a fragment with the header X-Portal-Fragment: 1; a 401 means the session ended.
 * 3. The header's menu button (button[aria-controls] in .top): on a phone it opens and closes the
 *    navigation (aria-expanded; Escape closes it). The "js" class on <html> is what folds the menu
 *    away on a phone: without script the navigation stays open below the bar.
 * 4. input[data-typed="dd/mm/yyyy"] (or "dd/mm/yyyy hh:mm"): a phone's number pad has no "/" (nor
 *    ":"), so typing digits at the end adds the form's next separators (04032018 -> 04/03/2018), and
 *    ".", "-" or "," typed becomes the separator the form wants there. The server reads only the form.
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

  function isDigit(c) { return c >= "0" && c <= "9"; }

  // Whether value follows the form so far: digits where it has letters, its separators elsewhere.
  function follows(value, form) {
    if (value.length > form.length) { return false; }
    for (var i = 0; i < value.length; i++) {
      var slot = form.charAt(i);
      if (/[dmyh]/.test(slot) ? !isDigit(value.charAt(i)) : value.charAt(i) !== slot) { return false; }
    }
    return true;
  }

  function typeDate(event) {
    var el = event.target;
    if (!(el instanceof HTMLInputElement) || !el.hasAttribute("data-typed")) { return; }
    if (event.inputType !== "insertText" || !event.data || el.selectionStart !== el.value.length) { return; }
    var form = el.getAttribute("data-typed");
    var value = el.value;
    var head = value.slice(0, -1);
    if (/^[.,\-\/: ]$/.test(event.data)) {
      var wanted = "";
      if (head.split("/").length < 3) { wanted = "/"; }
      else if (form.indexOf(" ") >= 0) { wanted = head.indexOf(" ") < 0 ? " " : ":"; }
      // a separator only after a digit, and only one the form has there: no doubled "//"
      value = (wanted && isDigit(head.charAt(head.length - 1))) ? head + wanted : head;
    } else if (isDigit(event.data)) {
      while (follows(value, form) && value.length < form.length && /[^dmyh]/.test(form.charAt(value.length))) {
        value += form.charAt(value.length);
      }
    }
    if (value !== el.value) { el.value = value; }
  }

  document.addEventListener("input", typeDate);
})();
