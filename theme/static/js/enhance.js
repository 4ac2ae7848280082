/* Progressive enhancement of every page, the only script loaded eagerly (deferred).
   - Search: swaps the archive link for the search box (same size, styled by site.css);
     the results' stylesheet loads on focus; search.js and Pagefind's script,
     WebAssembly and index on the first keystroke.
   - Readiness test (kit page): readiness.js scores the answers, in the browser only.
   - Comments: Isso (comments.js) loads when the reader scrolls near the thread (its
     styles are in site.css).
   - Counts: one request to Isso's /count for every [data-comment-count] on the page,
     only where comments are configured (data-comments); a failure stays silent.
   No inline code anywhere, so that `Content-Security-Policy: default-src 'self'` holds. */
(function () {
  "use strict";
  var me = document.currentScript;
  var comments = me.getAttribute("data-comments");
  var loading = {};

  // Fingerprinted names (search.1a2b3c4d5e.js) come from the page: data-search-js…
  function asset(name, type) {
    return new URL(me.getAttribute("data-" + name + "-" + type), document.baseURI).href;
  }
  function css(name) {
    if (loading["css:" + name]) return;
    loading["css:" + name] = 1;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = asset(name, "css");
    document.head.appendChild(link);
  }
  function module(name) {
    return loading[name] || (loading[name] = import(asset(name, "js")));
  }

  var form = document.querySelector(".site-search");
  var box = form && form.querySelector(".search-box");
  if (box) {
    var input = box.querySelector("input");
    var toggle = form.querySelector(".search-fallback");
    var narrow = window.matchMedia("(max-width: 40rem)");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "false");
    box.hidden = false;
    form.classList.add("has-search"); // site.css: same size as the link it replaces
    // Narrow screens: the link becomes the button that opens the box below the header.
    toggle.setAttribute("role", "button");
    toggle.setAttribute("aria-controls", box.id);
    toggle.setAttribute("aria-expanded", "false");
    var show = function (open) {
      form.classList.toggle("is-active", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) input.focus();
    };
    toggle.addEventListener("click", function (event) {
      if (!narrow.matches) return;
      event.preventDefault();
      show(!form.classList.contains("is-active"));
    });
    toggle.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); toggle.click(); }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && narrow.matches && !box.classList.contains("is-open")) {
        show(false);
        toggle.focus();
      }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    // Invio pressed before search.js has arrived is remembered, not lost.
    var early = function (event) {
      if (event.key === "Enter" && input.value.trim()) form.setAttribute("data-search-enter", "");
    };
    var start = function () {
      input.removeEventListener("input", start);
      module("search").then(function (search) {
        input.removeEventListener("keydown", early);
        search.start(form);
      });
    };
    input.addEventListener("input", start);
    input.addEventListener("keydown", early);
    // The results' panel styles, as soon as the reader heads for the box.
    input.addEventListener("focus", function () { css("search"); }); // typing needs focus first
  }

  // The readiness test on the kit page scores answers in the browser (nothing is sent).
  var readiness = document.querySelector("form[data-readiness]");
  if (readiness) module("readiness").then(function (test) { test.start(readiness); });

  var thread = document.getElementById("isso-thread");
  if (thread && comments) {
    var section = thread.closest("section") || thread;
    var load = function () {
      module("comments").then(function (isso) { isso.start(thread, comments); });
    };
    if (location.hash === "#commenti" || !("IntersectionObserver" in window)) {
      load();
    } else {
      var watch = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          watch.disconnect();
          load();
        }
      }, { rootMargin: "0px 0px 50% 0px" });
      watch.observe(section);
    }
  }

  var counts = document.querySelectorAll("[data-comment-count]");
  if (counts.length && comments) {
    var ids = [];
    counts.forEach(function (el) {
      var id = el.getAttribute("data-comment-count");
      if (ids.indexOf(id) < 0) ids.push(id);
    });
    fetch(comments + "count", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(ids),
    }).then(function (r) { return r.ok ? r.json() : []; }).then(function (numbers) {
      counts.forEach(function (el) {
        var n = numbers[ids.indexOf(el.getAttribute("data-comment-count"))];
        if (typeof n !== "number") return;
        el.firstElementChild.textContent =
          n === 0 ? "Nessun commento" : n === 1 ? "1 commento" : n + " commenti";
        el.hidden = false;
      });
    }, function () {});
  }
})();
