/* Fill the site's own kit PDF with the reader's answers, in the browser, and download it.
   Loaded by kit-edition.js only when the reader taps «Scarica il PDF compilato»; it loads
   pdf.js (npm's pdfjs-dist, vendored and served by this site: plugins/kit_pdf/vendor.py)
   and its worker. pdf.js saves the filled form as an incremental update: the PDF's own
   bytes stay as they are (its PDF/UA tags, its links, its fields, still fillable) and
   every filled field gets an appearance stream drawn in the kit's field font, so that
   every viewer shows the answers. Requests: pdf.js, its worker and the blank PDF, from
   this site, by GET; the answers never leave the page. */

// The field font is a simple WinAnsi (cp1252) font: it has ’ « » … è €, not every
// character a phone keyboard types. What it lacks is spelled with what it has (an accent
// dropped, an arrow as «->», an emoji left out): pdf.js would otherwise save the field
// with no appearance of its own, and some viewers would then show nothing.
const WINANSI = new Set([
  ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), // ASCII
  ..."€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ", // cp1252's own, 0x80–0x9F
  ...Array.from({ length: 96 }, (_, i) => String.fromCharCode(160 + i)), // Latin-1
]);
const SPELLED = { "→": "->", "←": "<-", "⇒": "=>", "≤": "<=", "≥": ">=", "≠": "!=", "✓": "v", "✔": "v", "✗": "x", "−": "-", "‐": "-", "‑": "-", " ": " ", " ": " ", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i" };

export function winAnsi(text) {
  let out = "";
  for (const char of text.normalize("NFC")) {
    if (char === "\n" || WINANSI.has(char)) out += char;
    else if (SPELLED[char]) out += SPELLED[char];
    else {
      const plain = char.normalize("NFD").replace(/\p{M}/gu, "");
      if (plain && [...plain].every((c) => WINANSI.has(c))) out += plain;
    }
  }
  return out;
}

function today() {
  const now = new Date();
  const two = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
}

// The PDF's bytes with `answers` ({ field name: text, true or a radio value }) in them.
export async function fill(answers, { pdf, pdfjs, worker }) {
  const [lib, response] = await Promise.all([import(pdfjs), fetch(pdf, { credentials: "same-origin" })]);
  if (!response.ok) throw new Error(`PDF: ${response.status}`);
  lib.GlobalWorkerOptions.workerSrc = worker;
  const task = lib.getDocument({
    data: new Uint8Array(await response.arrayBuffer()),
    isEvalSupported: false, // the site's policy allows no eval
    enableXfa: false,
    stopAtErrors: true,
  });
  const doc = await task.promise;
  try {
    const fields = (await doc.getFieldObjects()) || {};
    for (const [name, widgets] of Object.entries(fields)) {
      if (!Object.prototype.hasOwnProperty.call(answers, name)) continue;
      const value = answers[name];
      for (const widget of widgets) {
        if (!widget.id || !widget.type) continue; // a radio group's own entry
        let stored = null;
        if (widget.type === "text") stored = winAnsi(String(value));
        else if (widget.type === "checkbox") stored = value === true;
        else if (widget.type === "radiobutton") stored = widget.exportValues === value;
        if (stored !== null) doc.annotationStorage.setValue(widget.id, { value: stored });
      }
    }
    return await doc.saveDocument();
  } finally {
    await task.destroy();
  }
}

// Fill and hand the file to the browser as «<name>-2026-12-01.pdf»; returns that name.
export async function download({ answers, pdf, pdfjs, worker, name }) {
  const bytes = await fill(answers, { pdf, pdfjs, worker });
  const file = `${name}-${today()}.pdf`;
  const href = URL.createObjectURL(new Blob([bytes], { type: "application/pdf" }));
  const link = document.createElement("a");
  link.href = href;
  link.download = file;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(href), 60000);
  return file;
}
