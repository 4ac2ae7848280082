/* The kit's answers on this device, shared by the web edition (kit-edition.js) and the
   readiness test of the kit page (readiness.js): one localStorage entry per edition of
   the kit (its key is the page's data-store, e.g. «kit-sulla-delega/2026-12-01», so a
   new edition starts clean), holding { v, saved, answers } where answers maps a PDF
   field's name to its value (a text, true for a ticked box, a radio button's value).
   Only this browser reads it: nothing here sends anything anywhere. */

const VERSION = 1;

// A browser without storage (private mode, storage switched off): available is false,
// read() gives nothing and write() keeps nothing.
export function openStore(key) {
  let storage = null;
  try {
    storage = window.localStorage;
    storage.setItem(key + ":prova", "1");
    storage.removeItem(key + ":prova");
  } catch (error) {
    storage = null;
  }
  return {
    available: storage !== null,
    read() {
      try {
        const record = JSON.parse(storage.getItem(key) || "null");
        if (record && record.v === VERSION && record.answers) return record;
      } catch (error) { /* no storage, or not our record: nothing kept */ }
      return { v: VERSION, saved: null, answers: {} };
    },
    write(answers) {
      if (!storage) return false;
      try {
        if (Object.keys(answers).length) {
          storage.setItem(key, JSON.stringify({ v: VERSION, saved: new Date().toISOString(), answers }));
        } else {
          storage.removeItem(key);
        }
        return true;
      } catch (error) {
        return false; // full, or taken away meanwhile
      }
    },
    clear() {
      try { if (storage) storage.removeItem(key); } catch (error) { /* nothing to clear */ }
    },
    // Another tab (the kit page, another copy of this one) changed the answers.
    watch(callback) {
      window.addEventListener("storage", (event) => {
        if (event.key === key || event.key === null) callback(this.read());
      });
    },
  };
}

export function controls(root) {
  return Array.from(root.querySelectorAll("input[name], textarea[name]"));
}

export function collect(root) {
  const answers = {};
  for (const el of controls(root)) {
    if (el.type === "checkbox") {
      if (el.checked) answers[el.name] = true;
    } else if (el.type === "radio") {
      if (el.checked) answers[el.name] = el.value;
    } else if (el.value.trim() !== "") {
      answers[el.name] = el.value;
    }
  }
  return answers;
}

// Put the answers into the controls (all of them: a missing answer empties its control),
// except `skip` (the control the reader is typing in).
export function apply(root, answers, skip) {
  for (const el of controls(root)) {
    if (el === skip) continue;
    const value = Object.prototype.hasOwnProperty.call(answers, el.name) ? answers[el.name] : null;
    if (el.type === "checkbox") el.checked = value === true;
    else if (el.type === "radio") el.checked = value === el.value;
    else el.value = typeof value === "string" ? value : "";
  }
}

// What to show on arrival: the stored answers, under those the reader gave before this
// script ran (the page is usable while its scripts load, on a slow phone): those win.
export function arrival(stored, root) {
  return Object.assign({}, stored, collect(root));
}

// The stored answers with those of root's controls in place of their names' (the kit
// page's test holds ten of the names, the edition all of them).
export function merge(stored, root) {
  const names = new Set(controls(root).map((el) => el.name));
  const merged = {};
  for (const [name, value] of Object.entries(stored)) {
    if (!names.has(name)) merged[name] = value;
  }
  return Object.assign(merged, collect(root));
}
