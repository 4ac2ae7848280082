/* Isso's comment widget, loaded by enhance.js when the reader nears the thread.
   Isso reads its settings from data-isso-* attributes of a <script> element: this module
   writes them on the embed script it adds, with every string of Isso's client in
   Italian (its own it.js lacks several and uses English typography). The server
   settings (moderation, rate limit…) live in isso/isso.cfg. Avatars are off: Isso draws
   them with inline style attributes, which a strict Content-Security-Policy forbids. */

/* One entry for each message of Isso 0.14's client (isso/js/app/i18n/en.js);
   tests/test_comments.py checks that none is missing. "\n" separates singular and plural. */
export const STRINGS = {
  "postbox-text": "Scrivi qui il tuo commento (almeno 3 caratteri)",
  "postbox-author": "Nome (facoltativo)",
  "postbox-author-placeholder": "Mario Rossi",
  "postbox-email": "E-mail (facoltativa, resta privata)",
  "postbox-email-placeholder": "mario.rossi@esempio.it",
  "postbox-website": "Sito web (facoltativo)",
  "postbox-website-placeholder": "https://www.esempio.it",
  "postbox-preview": "Anteprima",
  "postbox-edit": "Modifica",
  "postbox-submit": "Invia il commento",
  "postbox-notification": "Avvisami via e-mail quando qualcuno risponde",
  "num-comments": "Un commento\n{{ n }} commenti",
  "no-comments": "Ancora nessun commento: scrivi tu il primo!",
  "atom-feed": "Feed Atom dei commenti",
  "comment-reply": "Rispondi",
  "comment-edit": "Modifica",
  "comment-save": "Salva",
  "comment-delete": "Elimina",
  "comment-confirm": "Conferma",
  "comment-close": "Chiudi",
  "comment-cancel": "Annulla",
  "comment-deleted": "Commento eliminato.",
  "comment-queued": "Grazie! Il commento è in attesa di approvazione: sarà pubblicato dopo la moderazione.",
  "comment-anonymous": "Anonimo",
  "comment-hidden": "Mostra un altro commento\nMostra altri {{ n }} commenti",
  "comment-page-author-suffix": "Autrice",
  "date-now": "proprio ora",
  "date-minute": "un minuto fa\n{{ n }} minuti fa",
  "date-hour": "un’ora fa\n{{ n }} ore fa",
  "date-day": "ieri\n{{ n }} giorni fa",
  "date-week": "la settimana scorsa\n{{ n }} settimane fa",
  "date-month": "il mese scorso\n{{ n }} mesi fa",
  "date-year": "l’anno scorso\n{{ n }} anni fa",
};

// Only what differs from Isso's defaults (gravatar and reply notifications are off there).
const SETTINGS = {
  "data-isso-lang": "it",
  "data-isso-css": "false",
  "data-isso-avatar": "false",
  "data-isso-vote": "false",
  "data-isso-sorting": "oldest",
};

export function start(thread, endpoint) {
  if (document.getElementById("isso-embed")) return;
  const section = thread.closest("section") || thread.parentNode;
  const fallback = section.querySelector(".comments-fallback");

  // The widget is usable once Isso has added its form: then the mailto can go. Isso's
  // text areas (the main one and each reply's) only have a placeholder: name them.
  const ready = new MutationObserver(() => {
    for (const area of thread.querySelectorAll("textarea:not([aria-label])")) {
      area.setAttribute("aria-label", "Il tuo commento");
    }
    if (thread.querySelector(".isso-postbox") && fallback && !fallback.hidden) {
      fallback.hidden = true;
    }
  });
  ready.observe(thread, { childList: true, subtree: true });

  const script = document.createElement("script");
  script.id = "isso-embed";
  script.src = `${endpoint}js/embed.min.js`;
  script.setAttribute("data-isso", endpoint);
  for (const [name, value] of Object.entries(SETTINGS)) script.setAttribute(name, value);
  for (const [key, text] of Object.entries(STRINGS)) {
    script.setAttribute(`data-isso-${key}-text-it`, text);
  }
  script.addEventListener("error", () => {
    ready.disconnect();
    const note = document.createElement("p");
    note.className = "comments-note";
    note.textContent = "I commenti non sono disponibili in questo momento: puoi comunque scrivermi via e-mail.";
    section.insertBefore(note, fallback);
  });
  document.body.appendChild(script);
}
