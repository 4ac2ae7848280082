/* The kit page's readiness test («Sei pronto?»), loaded by enhance.js. Scores the
   answers in the browser and shows the reading of the kit's «Come leggere le risposte»
   (the same data: each reading is a list item with data-min / data-max «sì»). The answers
   are kept on the device with the web edition's (kit-answers.js, the form's data-store):
   the same names as the PDF's fields, so they appear in the edition and in the filled
   PDF, and the edition's appear here. Nothing is sent anywhere: the form has no action
   and its submit is always prevented. */

// Keep the answers with the web edition's; a browser without storage just scores them.
async function keep(form) {
  if (!form.dataset.store || !form.dataset.answersJs) return;
  const kit = await import(new URL(form.dataset.answersJs, document.baseURI).href);
  const store = kit.openStore(form.dataset.store);
  if (!store.available) return;
  const save = () => store.write(kit.merge(store.read().answers, form));
  const early = Object.keys(kit.collect(form)).length; // ticked before this module came
  kit.apply(form, kit.arrival(store.read().answers, form));
  if (early) save();
  form.addEventListener("change", save);
  form.addEventListener("reset", () => window.setTimeout(save, 0)); // once the form is reset
  store.watch((record) => kit.apply(form, record.answers));
}

export function start(form) {
  keep(form).catch(() => {}); // the test works the same without storage
  const result = form.querySelector(".readiness-result");
  const guide = Array.from(form.querySelectorAll("[data-min][data-max]"));
  const questions = Array.from(form.querySelectorAll("fieldset[data-question]"));
  const prompt = form.getAttribute("data-prompt");

  for (const el of form.querySelectorAll(".js-only")) el.hidden = false;
  for (const el of form.querySelectorAll(".no-js")) el.hidden = true;

  function say(lines, match) {
    for (const item of guide) item.classList.toggle("is-match", item === match);
    result.replaceChildren(...lines.map(([tag, text]) => {
      const node = document.createElement(tag);
      node.textContent = text;
      return node;
    }));
    result.hidden = false;
    result.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const missing = questions.filter((q) => !q.querySelector("input:checked"));
    if (missing.length) {
      const left = missing.length === questions.length
        ? prompt
        : `${prompt} Ne mancano ${missing.length === 1 ? "una" : missing.length}: la prima è la numero ${questions.indexOf(missing[0]) + 1}.`;
      say([["p", left]], null);
      return;
    }
    const yes = form.querySelectorAll("input[value=si]:checked").length;
    const match = guide.find((item) => yes >= Number(item.dataset.min) && yes <= Number(item.dataset.max));
    const count = yes === 1 ? "a una domanda" : `a ${yes} domande`;
    const lines = [["p", `Hai risposto «sì» ${count} su ${questions.length}.`]];
    if (match) lines.push(["p", match.querySelector(".reading-text").textContent]);
    say(lines, match);
  });

  form.addEventListener("reset", () => {
    result.hidden = true;
    result.replaceChildren();
    for (const item of guide) item.classList.remove("is-match");
  });
}
