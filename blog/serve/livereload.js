// Live reload for `invoke livereload`: injected by the local server only, never built into
// the site. Same origin, no inline code, so the production Content-Security-Policy holds.
// The server sends "hello" (with the version of the site) on every connection, "reload"
// after a successful build and "failed" when a build broke: the page then keeps the last
// good version and shows which file to fix.
(() => {
  "use strict";
  // The version of the site this page came from (set by the server in the script's URL).
  let version = new URL(document.currentScript.src).searchParams.get("v");
  let banner = null;

  const data = (event) => JSON.parse(event.data || "{}");

  function swapStylesheet(name) {
    let swapped = false;
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      if (url.pathname.endsWith("/" + name)) {
        url.searchParams.set("livereload", Date.now().toString(36));
        link.href = url.toString();
        swapped = true;
      }
    }
    return swapped;
  }

  function showFailure(message) {
    if (!banner) {
      banner = document.createElement("div");
      banner.setAttribute("role", "alert");
      banner.id = "livereload-errore";
      // CSSOM properties, not a style attribute: allowed by style-src 'self'.
      Object.assign(banner.style, {
        position: "fixed", insetInline: "0", bottom: "0", zIndex: "2147483647",
        margin: "0", padding: "0.75rem 1rem", font: "14px/1.4 system-ui, sans-serif",
        background: "#7a1010", color: "#fff", whiteSpace: "pre-wrap",
        maxHeight: "40vh", overflow: "auto",
      });
      document.body.append(banner);
    }
    const title = document.createElement("strong");
    title.textContent = "Build fallita: la pagina mostra l’ultima versione riuscita.";
    const detail = document.createElement("div");
    detail.textContent = message;
    Object.assign(detail.style, { marginTop: "0.25rem", overflowWrap: "anywhere" });
    banner.replaceChildren(title, detail);
  }

  function connect() {
    // The page's path tells the server which pages are open (to rebuild those first).
    const source = new EventSource(
      "/__livereload/events?page=" + encodeURIComponent(location.pathname));
    // A dropped stream reconnects by itself; one the browser gave up on (an answer
    // that was not an event stream, while the server restarted) is opened again.
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
    });
    source.addEventListener("hello", (event) => {
      const now = data(event).version;
      if (version !== null && now !== version) {
        location.reload();  // a newer site went live, or the server restarted
        return;
      }
      version = now;
    });
    source.addEventListener("reload", (event) => {
      const message = data(event);
      version = message.version;
      if (message.css && swapStylesheet(message.css)) {
        if (banner) { banner.remove(); banner = null; }
        return;
      }
      location.reload();
    });
    source.addEventListener("failed", (event) => showFailure(data(event).message || ""));
  }

  connect();
})();
