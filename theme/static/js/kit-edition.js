/* The kit's web edition (kit_edition.html), a module loaded by that page only.
   - Keeps every answer on this device as it is typed (kit-answers.js), restores it on
     return, follows other tabs (the kit page's readiness test shares the answers) and
     says so; «Cancella le mie risposte», confirmed, removes them.
   - Adds up what the PDF asks to add up (data-kit-total, data-kit-part, data-kit-when,
     data-kit-times): a sum the reader corrects by hand stays theirs until emptied.
   - Checks the hours, says when an answer is longer than its box in the PDF
     (data-kit-fit: lines and characters a line, measured on the PDF), reads the readiness
     test, opens the rows and sheets that hold answers (and all of them for printing),
     marks the exercises begun in the index.
   - «Scarica il PDF compilato» loads kit-fill.js (and with it pdf.js) only on tap.
   Nothing is sent: no control is in a form, nothing is fetched but this site's files. */

// After the first frame: the page paints its words first, then takes the answers back.
const root = document.querySelector("[data-kit-form]");
if (root) requestAnimationFrame(() => setTimeout(() => start(root)));

// Italian numbers and times, made on first use (making them costs at load).
let formats = null;
function italian() {
  formats ??= {
    number: new Intl.NumberFormat("it-IT", { maximumFractionDigits: 2 }),
    time: new Intl.DateTimeFormat("it-IT", { hour: "2-digit", minute: "2-digit" }),
    month: new Intl.DateTimeFormat("it-IT", { month: "long" }),
  };
  return formats;
}
const number = { format: (n) => italian().number.format(n) };
const time = { format: (d) => italian().time.format(d) };
const month = { format: (d) => italian().month.format(d) };

// «oggi», «ieri», «l’8 dicembre», «il 1º marzo», «il 3 giugno».
function when(date) {
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return "oggi";
  if (date.toDateString() === yesterday.toDateString()) return "ieri";
  const d = date.getDate();
  const article = d === 8 || d === 11 ? "l’" : "il ";
  return `${article}${d === 1 ? "1º" : d} ${month.format(date)}`;
}
const HOURS = /^\s*(\d+(?:[.,]\d+)?)\s*(?:ore|ora|h)?\.?\s*$/i;

function hours(text) {
  const match = HOURS.exec(text);
  return match ? Number(match[1].replace(",", ".")) : null;
}

// The lines `text` takes in a box `chars` characters wide (words wrap as in the PDF).
function linesOf(text, chars) {
  let lines = 0;
  for (const paragraph of text.replace(/\s+$/, "").split("\n")) {
    let line = 0;
    lines += 1;
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const need = line ? line + 1 + word.length : word.length;
      if (need > chars && line) { lines += 1; line = word.length; } else { line = need; }
      while (line > chars) { lines += 1; line -= chars; }
    }
  }
  return lines;
}

// Add or remove `id` from the field's aria-describedby.
function describe(field, id, on) {
  const ids = (field.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
  if (on) ids.push(id);
  if (ids.length) field.setAttribute("aria-describedby", ids.join(" "));
  else field.removeAttribute("aria-describedby");
}

// A note after the field's label (after the whole row in a table: a cell is too narrow
// for it, and there it names its column). Its id: «k-<name><suffix>».
function note(field, suffix, className, text) {
  const id = "k-" + field.name + suffix;
  const row = field.closest(".kw-row");
  let el = document.getElementById(id);
  if (text && !el) {
    el = document.createElement("p");
    el.id = id;
    el.className = className;
    if (row) row.append(el);
    else field.closest(".kw-field").after(el);
  }
  if (el && text) {
    el.textContent = row ? `${field.labels[0].textContent}: ${text[0].toLowerCase()}${text.slice(1)}` : text;
  }
  if (el && !text) el.remove();
  describe(field, id, Boolean(text));
  return el;
}

async function start(root) {
  const url = (name) => new URL(root.getAttribute("data-" + name), document.baseURI).href;
  const kit = await import(url("answers-js"));
  const store = kit.openStore(root.dataset.store);
  const status = document.querySelector("[data-kit-status]");
  const barStatus = document.querySelector("[data-kit-bar-status]");
  const whenSaved = document.querySelector("[data-kit-when]");
  const announce = root.querySelector("[data-kit-announce]");
  const bar = root.querySelector("[data-kit-bar]");
  const tools = document.querySelector(".kw-tools");
  const byName = (name) => root.querySelector(`[name="${name}"]`);
  const manual = new WeakSet(); // computed fields the reader wrote in
  let unsaved = !store.available;

  tools.classList.add("is-live");

  // The status (announced when it changes), the time beside it (not announced: it
  // changes with every save) and the bar's short version.
  function say(text, short, at) {
    if (status.textContent !== text) status.textContent = text;
    whenSaved.textContent = at || "";
    barStatus.textContent = short || text;
  }
  function tell(text) {
    announce.textContent = "";
    window.setTimeout(() => { announce.textContent = text; }, 50);
  }

  // --- sums --------------------------------------------------------------------
  // The computed fields, rows before the totals that add them up (fixed: found once).
  const computed = Array.from(root.querySelectorAll("[data-kit-times], [data-kit-total]"));
  function valueFor(field) {
    if (field.dataset.kitTimes) {
      const h = hours(byName(field.dataset.kitTimes).value);
      return h === null ? "" : number.format(h * Number(field.dataset.kitFactor));
    }
    let sum = 0;
    let any = false;
    for (const part of root.querySelectorAll(`[data-kit-part="${field.dataset.kitTotal}"]`)) {
      const when = part.dataset.kitWhen && part.dataset.kitWhen.split("=");
      if (when && !root.querySelector(`[name="${when[0]}"][value="${when[1]}"]:checked`)) continue;
      const h = hours(part.value);
      if (h !== null) { sum += h; any = true; }
    }
    return any ? number.format(sum) : "";
  }
  function recompute() {
    const changed = [];
    for (const field of computed) {
      if (manual.has(field)) continue;
      const value = valueFor(field);
      if (field.value !== value) {
        field.value = value;
        if (field.dataset.kitTotal) changed.push(field);
      }
    }
    return changed;
  }
  let totalTimer = 0;
  function announceTotals(fields) {
    if (!fields.length) return;
    window.clearTimeout(totalTimer);
    totalTimer = window.setTimeout(() => {
      tell(fields.map((f) => `${f.labels[0].textContent}: ${f.value || "0"} ore`).join(". "));
    }, 900);
  }

  // --- hours -------------------------------------------------------------------
  const ERROR = "Scrivi le ore in cifre, per esempio 5 o 2,5: così le somme si fanno da sole.";
  function check(field, strict) {
    const bad = field.value.trim() !== "" && hours(field.value) === null;
    const shown = document.getElementById("k-" + field.name + "-errore");
    if (bad && (strict || shown)) {
      note(field, "-errore", "kw-error", ERROR);
      field.setAttribute("aria-invalid", "true");
      if (strict && !shown) tell(`${field.labels[0].textContent}: ${ERROR}`);
    } else if (!bad && shown) {
      note(field, "-errore", "kw-error", "");
      field.removeAttribute("aria-invalid");
    }
  }
  // Longer than its box in the PDF: the answer stays whole here, the page would cut it.
  function fit(field, strict) {
    const [lines, chars] = field.dataset.kitFit.split(" ").map(Number);
    const used = field.tagName === "TEXTAREA" ? linesOf(field.value, chars) : 1;
    let text = "";
    if (field.tagName === "TEXTAREA" && used > lines) {
      text = `Nel PDF c’è posto per circa ${lines} righe e questa risposta ne occupa ${used}; lì si leggerà solo l’inizio, qui resta intera.`;
    } else if (field.tagName !== "TEXTAREA" && field.value.trim().length > chars) {
      text = `Nel PDF entrano circa ${chars} caratteri; lì si leggerà solo l’inizio, qui resta intera.`;
    }
    const had = Boolean(document.getElementById("k-" + field.name + "-spazio"));
    note(field, "-spazio", "kw-fit", text);
    if (text && strict && !had) tell(text);
  }

  // --- readiness test, index, open sheets ---------------------------------------
  function reading() {
    const box = root.querySelector("[data-kit-reading]");
    if (!box) return;
    const part = box.closest("section");
    const names = new Set(Array.from(part.querySelectorAll("input[type=radio]"), (el) => el.name));
    const answered = part.querySelectorAll("input[type=radio]:checked").length;
    const yes = part.querySelectorAll("input[type=radio][value=si]:checked").length;
    const total = names.size;
    let match = null;
    if (answered === total) {
      match = Array.from(part.querySelectorAll("[data-min]")).find(
        (item) => yes >= Number(item.dataset.min) && yes <= Number(item.dataset.max));
      box.textContent = `Hai risposto «sì» a ${yes === 1 ? "una domanda" : yes + " domande"} su ${total}. ` +
        (match ? match.querySelector("dd").textContent : "");
    } else {
      box.textContent = answered
        ? `${box.dataset.prompt} Ne hai risposte ${answered} su ${total}.`
        : box.dataset.prompt;
    }
    box.hidden = false;
    for (const item of part.querySelectorAll("[data-min]")) item.classList.toggle("is-match", item === match);
  }
  // The index's marks and the folded sheets, each with its controls' names (found once,
  // not on every keystroke).
  const namesIn = (el) => Array.from(new Set(kit.controls(el).map((c) => c.name)));
  const marks = Array.from(document.querySelectorAll("[data-kit-done]"),
    (mark) => [mark, namesIn(document.getElementById(mark.dataset.kitDone))]);
  const sheets = Array.from(root.querySelectorAll("[data-kit-more]"), (more) => [more, namesIn(more)]);
  function progress(answers) {
    const begun = (names) => names.some((name) => Object.prototype.hasOwnProperty.call(answers, name));
    for (const [mark, names] of marks) {
      mark.hidden = !begun(names);
      mark.textContent = mark.hidden ? "" : "iniziato";
    }
    for (const [more, names] of sheets) if (!more.open && begun(names)) more.open = true;
  }
  function refresh(answers, skip) {
    kit.apply(root, answers, skip);
    for (const field of computed) {
      if (field.value !== "" && field.value !== valueFor(field)) manual.add(field);
      else manual.delete(field);
    }
    recompute();
    for (const field of root.querySelectorAll("[data-kit-fit]")) if (field.value) fit(field, false);
    reading();
    progress(answers);
  }

  // --- saving ------------------------------------------------------------------
  function save() {
    const answers = kit.collect(root);
    if (!unsaved && !store.write(answers)) unsaved = true;
    if (unsaved) {
      say("Questo browser non conserva le risposte (navigazione privata?): restano finché la pagina è aperta. Scarica il PDF compilato prima di chiuderla.",
        "Non salvato: scarica il PDF", "");
    } else {
      say("Salvato su questo dispositivo", "Salvato su questo dispositivo", `oggi alle ${time.format(new Date())}`);
    }
    progress(answers);
  }

  const record = store.read();
  const early = Object.keys(kit.collect(root)).length; // typed before this module came
  refresh(kit.arrival(record.answers, root));
  if (unsaved) {
    save();
    window.addEventListener("beforeunload", (event) => {
      if (Object.keys(kit.collect(root)).length) event.preventDefault();
    });
  } else if (early) {
    save();
  } else if (record.saved) {
    const saved = new Date(record.saved);
    say("Salvato su questo dispositivo", "Salvato su questo dispositivo",
      `${when(saved)} alle ${time.format(saved)}`);
  }
  store.watch((latest) => { refresh(latest.answers, document.activeElement); });

  root.addEventListener("input", (event) => {
    const field = event.target;
    if (field.matches("[data-kit-times], [data-kit-total]")) {
      if (field.value.trim() === "") manual.delete(field);
      else manual.add(field);
    }
    if (field.matches("[data-kit-hours]")) check(field, false);
    if (field.matches("[data-kit-fit]")) fit(field, false);
    announceTotals(recompute());
    if (field.type === "radio" && field.closest(".kw-readiness")) reading();
    save();
  });
  root.addEventListener("change", (event) => {
    if (event.target.matches("[data-kit-hours]")) check(event.target, true);
    if (event.target.matches("[data-kit-fit]")) fit(event.target, true);
  });

  // --- clearing ----------------------------------------------------------------
  const dialog = document.querySelector("[data-kit-confirm]");
  const clearButton = document.querySelector("[data-kit-clear]");
  clearButton.addEventListener("click", () => {
    if (typeof dialog.showModal === "function") dialog.showModal();
    else if (window.confirm(dialog.querySelector("h2").textContent)) clear();
  });
  function clear() {
    store.clear();
    for (const field of computed) manual.delete(field);
    refresh({});
    for (const field of root.querySelectorAll("[data-kit-hours], [data-kit-fit]")) {
      note(field, "-errore", "kw-error", "");
      note(field, "-spazio", "kw-fit", "");
      field.removeAttribute("aria-invalid");
    }
    say(unsaved ? "Risposte cancellate da questa pagina." : "Risposte cancellate da questo dispositivo.",
      "Nessuna risposta salvata");
  }
  dialog.querySelector("[data-kit-confirm-yes]").addEventListener("click", () => {
    dialog.close();
    clear();
    clearButton.focus();
  });
  dialog.querySelector("[data-kit-confirm-no]").addEventListener("click", () => dialog.close());

  // --- the filled PDF ----------------------------------------------------------
  let busy = false;
  for (const button of document.querySelectorAll("[data-kit-download]")) {
    button.addEventListener("click", async () => {
      if (busy) return;
      busy = true;
      for (const b of document.querySelectorAll("[data-kit-download]")) b.setAttribute("aria-disabled", "true");
      say("Preparo il PDF con le tue risposte…", "Preparo il PDF…");
      try {
        const fill = await import(url("fill-js"));
        const name = await fill.download({
          answers: kit.collect(root), pdf: url("pdf"), pdfjs: url("pdfjs"), worker: url("worker"),
          name: root.dataset.downloadName,
        });
        say(`Fatto: «${name}» è tra i tuoi download.`, "PDF scaricato");
      } catch (error) {
        say("Non è stato possibile preparare il PDF compilato in questo browser: le risposte restano qui. Riprova, oppure scarica il PDF vuoto dalla pagina del kit.",
          "PDF non preparato: riprova");
      } finally {
        busy = false;
        for (const b of document.querySelectorAll("[data-kit-download]")) b.removeAttribute("aria-disabled");
      }
    });
  }

  // --- the bar at the foot of the screen, text areas, printing ------------------
  if (bar && tools && "IntersectionObserver" in window) {
    new IntersectionObserver((entries) => {
      bar.hidden = entries[entries.length - 1].isIntersecting;
    }).observe(tools);
  }
  if (!CSS.supports("field-sizing", "content")) {
    const grow = (area) => {
      area.style.height = "auto";
      area.style.height = area.scrollHeight + 2 + "px";
    };
    for (const area of root.querySelectorAll("textarea")) grow(area);
    root.addEventListener("input", (event) => { if (event.target.tagName === "TEXTAREA") grow(event.target); });
  }
  let closed = [];
  window.addEventListener("beforeprint", () => {
    closed = Array.from(root.querySelectorAll("[data-kit-more]:not([open])"));
    for (const more of closed) more.open = true;
  });
  window.addEventListener("afterprint", () => {
    for (const more of closed) more.open = false;
  });
}
