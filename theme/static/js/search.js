/* The header's search box on Pagefind's JavaScript API (loaded by enhance.js on the
   first keystroke). An ARIA 1.2 combobox: the input keeps the focus, ↓ and ↑ move
   through the results (aria-activedescendant), Invio opens the selected one, Esc
   closes the list. Results are real links, so a click or a middle click works too.
   Every label is Italian; results are built with DOM nodes, never from HTML strings. */

const MAX_RESULTS = 8;
const DELAY_MS = 120;

function plural(n, one, many) {
  return n === 1 ? one : `${n} ${many}`;
}

/* Pagefind's excerpt is text with <mark> around the matched words and < > escaped. */
function excerptNodes(excerpt) {
  const nodes = [];
  const parts = excerpt.split(/(<mark>.*?<\/mark>)/);
  for (const part of parts) {
    if (!part) continue;
    const marked = part.startsWith("<mark>");
    const text = (marked ? part.slice(6, -7) : part)
      .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"")
      .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
    if (marked) {
      const mark = document.createElement("mark");
      mark.textContent = text;
      nodes.push(mark);
    } else {
      nodes.push(document.createTextNode(text));
    }
  }
  return nodes;
}

export function start(form) {
  const box = form.querySelector(".search-box");
  const input = box.querySelector("input");
  const status = box.querySelector(".search-status");
  const list = box.querySelector("[role=listbox]");
  const bundle = new URL(form.dataset.searchBundle, document.baseURI).href;
  const root = new URL(form.dataset.searchRoot, document.baseURI).pathname;

  let pagefind = null;
  let timer = 0;
  let serial = 0;
  let shownTerm = null;
  let selectFirst = false;

  const engine = import(bundle + "pagefind.js").then(async (module) => {
    await module.options({ baseUrl: root, excerptLength: 18 });
    await module.init();
    pagefind = module;
    return module;
  });

  function options() {
    return Array.from(list.querySelectorAll("[role=option]"));
  }

  function active() {
    const id = input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function activate(option) {
    for (const o of options()) o.setAttribute("aria-selected", o === option ? "true" : "false");
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function open(isOpen) {
    box.classList.toggle("is-open", isOpen);
    input.setAttribute("aria-expanded", isOpen && options().length ? "true" : "false");
  }

  function close() {
    activate(null);
    open(false);
  }

  function clear() {
    clearTimeout(timer);
    serial += 1;
    shownTerm = null;
    list.replaceChildren();
    status.textContent = "";
    close();
  }

  function render(term, results, total) {
    const nodes = results.map((data, i) => {
      const link = document.createElement("a");
      link.id = `cerca-risultato-${i}`;
      link.className = "search-result";
      link.href = data.url;
      link.setAttribute("role", "option");
      link.setAttribute("aria-selected", "false");
      link.tabIndex = -1;
      const title = document.createElement("span");
      title.className = "search-result-title";
      title.textContent = (data.meta && data.meta.title) || data.url;
      const excerpt = document.createElement("span");
      excerpt.className = "search-result-excerpt";
      excerpt.append(...excerptNodes(data.excerpt || ""));
      link.append(title, excerpt);
      return link;
    });
    activate(null);
    list.replaceChildren(...nodes);
    shownTerm = term;
    if (!total) {
      status.textContent = `Nessun risultato per «${term}». Prova con un’altra parola o sfoglia l’archivio.`;
    } else {
      const shown = total > results.length ? `: ecco i primi ${results.length}` : "";
      status.textContent = `${plural(total, "1 risultato", "risultati")} per «${term}»${shown}. ` +
        "Usa ↓ e ↑ per scegliere, Invio per aprire.";
    }
    open(true);
    if (selectFirst && nodes.length) activate(nodes[0]);
    selectFirst = false;
  }

  async function search(term) {
    const mine = ++serial;
    if (!pagefind) {
      status.textContent = "Preparo la ricerca…";
      open(true);
    }
    try {
      const engineReady = await engine;
      const found = await engineReady.search(term);
      if (mine !== serial || !found) return;
      const top = await Promise.all(found.results.slice(0, MAX_RESULTS).map((r) => r.data()));
      if (mine !== serial) return;
      render(term, top, found.results.length);
    } catch (error) {
      if (mine !== serial) return;
      list.replaceChildren();
      status.textContent = "La ricerca non è disponibile in questo momento: prova dall’archivio degli articoli.";
      open(true);
      throw error;
    }
  }

  function schedule(now) {
    const term = input.value.trim();
    clearTimeout(timer);
    if (!term) {
      clear();
      return;
    }
    if (term === shownTerm) {
      if (selectFirst && options().length) activate(options()[0]);
      selectFirst = false;
      open(true);
      return;
    }
    if (now) search(term);
    else timer = setTimeout(() => search(term), DELAY_MS);
  }

  function move(step) {
    const all = options();
    if (!all.length) return;
    open(true);
    const index = all.indexOf(active());
    const next = index < 0 ? (step > 0 ? 0 : all.length - 1) : (index + step + all.length) % all.length;
    activate(all[next]);
  }

  input.addEventListener("input", () => schedule(false));
  input.addEventListener("focus", () => { if (shownTerm && input.value.trim() === shownTerm) open(true); });
  input.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        move(1);
        break;
      case "ArrowUp":
        event.preventDefault();
        move(-1);
        break;
      case "Enter": {
        event.preventDefault();
        const option = active();
        if (option) {
          window.location.assign(option.href);
        } else {
          selectFirst = true;
          schedule(true);
        }
        break;
      }
      case "Escape":
        if (box.classList.contains("is-open")) {
          event.preventDefault();
          close();
        }
        break;
      default:
    }
  });
  form.addEventListener("focusout", (event) => {
    if (!form.contains(event.relatedTarget)) close();
  });
  list.addEventListener("pointermove", (event) => {
    const option = event.target.closest("[role=option]");
    if (option && option !== active()) activate(option);
  });

  // Invio pressed while this module was loading (enhance.js noted it).
  if (form.hasAttribute("data-search-enter")) {
    form.removeAttribute("data-search-enter");
    selectFirst = true;
    schedule(true);
  } else {
    schedule(false);
  }
}
