/* The header's search box on Pagefind's JavaScript API (loaded by enhance.js on the
   first keystroke). An ARIA 1.2 combobox: the input keeps the focus, ↓ and ↑ move
   through the results (aria-activedescendant), Invio opens the selected one, Esc
   closes the list. Results are real links, so a click or a middle click works too.
   Eight results at a time: «Mostra altri» (or ↓ past the last one) brings the next ones.
   Key hints show only with a fine pointer (site.css). Every label is Italian; results
   are built with DOM nodes, never from HTML strings. */

const PAGE_SIZE = 8;
const DELAY_MS = 120;

function plural(n, one, many) {
  return n === 1 ? one : `${n} ${many}`;
}

/* The index reads elisions as un'assistente, so that «assistente» finds them
   (blog/build/search.py): the reader sees the page's own un’assistente. In an
   excerpt the apostrophe is &#39; and a <mark> may stand next to it. */
function typographic(text) {
  return text.replace(/(?<=\p{L}(?:<\/?mark>)?)(?:'|&#39;)(?=(?:<\/?mark>)?\p{L})/gu, "’");
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
  const more = box.querySelector(".search-more");
  const bundle = new URL(form.dataset.searchBundle, document.baseURI).href;
  const root = new URL(form.dataset.searchRoot, document.baseURI).pathname;

  let pagefind = null;
  let timer = 0;
  let serial = 0;
  let shownTerm = null;
  let selectFirst = false;
  let found = [];
  let shownCount = 0;

  /* A development build's index comes in parts (blog/build/search.py): the first is
     the bundle itself, the others are listed in parti.json (data-search-parts) and
     searched as one with it. Production has one index and no list to ask for. */
  const partsList = form.dataset.searchParts;
  const parts = partsList
    ? fetch(new URL(partsList, document.baseURI).href)
      .then((response) => (response.ok ? response.json() : []))
      .catch(() => [])
    : Promise.resolve([]);
  const engine = import(bundle + "pagefind.js").then(async (module) => {
    const settings = { baseUrl: root, excerptLength: 18 };
    await module.options(settings);
    await module.init();
    await Promise.all((await parts).map((part) => module.mergeIndex(bundle + part, settings)));
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
    found = [];
    shownCount = 0;
    list.replaceChildren();
    status.textContent = "";
    more.hidden = true;
    close();
  }

  /* Pagefind's excerpt may begin with the page's own title: the title is shown above it. */
  function withoutTitle(excerpt, title) {
    const plain = excerpt.replace(/<\/?mark>/g, "");
    if (title && plain.startsWith(title)) {
      let cut = 0;
      let seen = 0;
      while (seen < title.length && cut < excerpt.length) {
        const tag = excerpt.slice(cut).match(/^<\/?mark>/);
        if (tag) cut += tag[0].length;
        else { cut += 1; seen += 1; }
      }
      return excerpt.slice(cut).replace(/^(\s*<\/mark>)?[\s.:–—-]+/, "$1").trim();
    }
    return excerpt;
  }

  function option(data, i) {
    const link = document.createElement("a");
    link.id = `cerca-risultato-${i}`;
    link.className = "search-result";
    link.href = data.url;
    link.setAttribute("role", "option");
    link.setAttribute("aria-selected", "false");
    link.tabIndex = -1;
    const title = document.createElement("span");
    title.className = "search-result-title";
    const titleText = typographic((data.meta && data.meta.title) || data.url);
    title.textContent = titleText;
    const excerpt = document.createElement("span");
    excerpt.className = "search-result-excerpt";
    excerpt.append(...excerptNodes(withoutTitle(typographic(data.excerpt || ""), titleText)));
    link.append(title, excerpt);
    return link;
  }

  function describe(term) {
    const total = found.length;
    if (!total) {
      status.textContent = `Nessun risultato per «${term}». Prova con un’altra parola o sfoglia l’archivio.`;
      return;
    }
    const shown = total > shownCount ? ` (ne vedi ${shownCount})` : "";
    status.textContent = `${plural(total, "1 risultato", "risultati")} per «${term}»${shown}.`;
    const keys = document.createElement("span");
    keys.className = "search-keys";
    keys.textContent = " Usa ↓ e ↑ per scegliere, Invio per aprire.";
    status.append(keys);
    const left = total - shownCount;
    more.hidden = left <= 0;
    more.textContent = left === 1 ? "Mostra l’ultimo risultato" : `Mostra altri ${Math.min(left, PAGE_SIZE)} risultati`;
  }

  /* Load the next page of results; returns the first new option (or null). */
  async function showMore(mine) {
    const next = found.slice(shownCount, shownCount + PAGE_SIZE);
    if (!next.length) return null;
    const data = await Promise.all(next.map((r) => r.data()));
    if (mine !== serial) return null;
    const nodes = data.map((d, i) => option(d, shownCount + i));
    list.append(...nodes);
    shownCount += nodes.length;
    describe(shownTerm);
    open(true);
    return nodes[0] || null;
  }

  async function render(term, mine) {
    activate(null);
    list.replaceChildren();
    shownCount = 0;
    shownTerm = term;
    more.hidden = true;
    const first = await showMore(mine);
    if (mine !== serial) return;
    describe(term);
    open(true);
    if (selectFirst && first) activate(first);
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
      const result = await engineReady.search(term);
      if (mine !== serial || !result) return;
      found = result.results;
      await render(term, mine);
    } catch (error) {
      if (mine !== serial) return;
      list.replaceChildren();
      more.hidden = true;
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

  async function move(step) {
    const all = options();
    if (!all.length) return;
    open(true);
    const index = all.indexOf(active());
    if (step > 0 && index === all.length - 1 && shownCount < found.length) {
      const first = await showMore(serial);
      if (first) { activate(first); return; }
    }
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
  more.addEventListener("click", async () => {
    const first = await showMore(serial);
    input.focus();
    if (first) activate(first);
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
