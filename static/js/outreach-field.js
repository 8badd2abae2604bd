/* Tablet field capture for outreach visits (アウトリーチ訪問記録・現地入力).
 *
 * Works without a connection: every visit is first kept on the device — encrypted with AES-GCM
 * under a key derived (PBKDF2-SHA-256) from a per-session secret the server puts in the page —
 * then sent when the network is there. Each visit carries its own idempotency key, so sending it
 * twice (a flaky connection, a second tab) never makes two records: the server answers 200 with
 * the record already made. Records the server refuses (400/403/404) stay on the device and are
 * shown as conflicts until the worker discards them. A new login gives a new secret: whatever an
 * earlier session left on the device can no longer be read and is wiped.
 * No framework and no CDN: this file is served from the project's static files.
 */
(function () {
  "use strict";

  var root = document.getElementById("field-app");
  if (!root) return;
  var STORE = "tsunagu-outreach-field";
  var secret = root.dataset.secret;
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var apiBase = root.dataset.api;
  var enc = new TextEncoder();
  var dec = new TextDecoder();
  var keyPromise = deriveKey(secret);
  var tagPromise = digest(secret);
  var sending = false;

  function b64(bytes) {
    var s = "";
    bytes = new Uint8Array(bytes);
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }
  function unb64(text) {
    var s = atob(text), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function deriveKey(material) {
    return crypto.subtle
      .importKey("raw", enc.encode(material), "PBKDF2", false, ["deriveKey"])
      .then(function (base) {
        return crypto.subtle.deriveKey(
          { name: "PBKDF2", salt: enc.encode("tsunagu.outreach.field.v1"), iterations: 100000, hash: "SHA-256" },
          base,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"]
        );
      });
  }
  function digest(material) {
    return crypto.subtle.digest("SHA-256", enc.encode("tag:" + material)).then(function (d) {
      return b64(d).slice(0, 22);
    });
  }
  function encrypt(obj) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return keyPromise.then(function (key) {
      return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, enc.encode(JSON.stringify(obj)));
    }).then(function (ct) {
      return { iv: b64(iv), ct: b64(ct) };
    });
  }
  function decrypt(box) {
    return keyPromise.then(function (key) {
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(box.iv) }, key, unb64(box.ct));
    }).then(function (plain) {
      return JSON.parse(dec.decode(plain));
    });
  }

  // --- the encrypted queue in localStorage ------------------------------------------------
  function load() {
    return tagPromise.then(function (tag) {
      var raw = localStorage.getItem(STORE);
      var data = raw ? JSON.parse(raw) : null;
      if (!data || data.tag !== tag) {
        // Another session's data (after logout and a new login) cannot be read: wipe it.
        data = { tag: tag, items: [] };
        localStorage.setItem(STORE, JSON.stringify(data));
      }
      return data;
    });
  }
  function save(data) {
    localStorage.setItem(STORE, JSON.stringify(data));
  }
  function enqueue(visit) {
    return Promise.all([load(), encrypt(visit)]).then(function (r) {
      var data = r[0];
      data.items.push({ id: visit.idempotency_key, box: r[1], state: "pending", error: "" });
      save(data);
    });
  }

  // --- sending ------------------------------------------------------------------------------
  function errorText(body) {
    if (!body || !body.error) return root.dataset.msgRefused;
    var parts = [body.error.message];
    var fields = body.error.fields || {};
    Object.keys(fields).forEach(function (k) {
      parts.push(k + ": " + [].concat(fields[k]).join(" "));
    });
    return parts.join(" / ");
  }
  function sendOne(item) {
    return decrypt(item.box).then(function (visit) {
      var body = Object.assign({}, visit);
      delete body.target;
      return fetch(apiBase + visit.target + "/contacts/", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: JSON.stringify(body),
      }).then(function (response) {
        if (response.status === 200 || response.status === 201) return { ok: true };
        if (response.status >= 400 && response.status < 500) {
          return response.json().catch(function () { return null; }).then(function (b) {
            return { ok: false, conflict: true, error: errorText(b) };
          });
        }
        return { ok: false, conflict: false };
      });
    });
  }
  function flush() {
    if (sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    return load().then(function (data) {
      var pending = data.items.filter(function (i) { return i.state === "pending"; });
      return pending.reduce(function (chain, item) {
        return chain.then(function (stop) {
          if (stop) return true;
          return sendOne(item).then(function (result) {
            var current = JSON.parse(localStorage.getItem(STORE));
            var idx = current.items.findIndex(function (i) { return i.id === item.id; });
            if (result.ok) {
              if (idx >= 0) current.items.splice(idx, 1);
              sentCount += 1;
            } else if (result.conflict) {
              if (idx >= 0) { current.items[idx].state = "conflict"; current.items[idx].error = result.error; }
            } else {
              return true; // server trouble: keep everything, try again later
            }
            save(current);
            return false;
          }, function () { return true; }); // network error: try again when online
        });
      }, Promise.resolve(false));
    }).then(function () {
      sending = false;
      return render();
    }, function () {
      sending = false;
      return render();
    });
  }

  // --- the page -----------------------------------------------------------------------------
  var sentCount = 0;
  var status = document.getElementById("field-status");
  var pendingEl = document.getElementById("field-pending");
  var conflictsEl = document.getElementById("field-conflicts");
  var sentEl = document.getElementById("field-sent");

  function render() {
    return load().then(function (data) {
      var pending = data.items.filter(function (i) { return i.state === "pending"; });
      var conflicts = data.items.filter(function (i) { return i.state === "conflict"; });
      status.textContent = navigator.onLine ? root.dataset.msgOnline : root.dataset.msgOffline;
      status.dataset.online = navigator.onLine ? "1" : "0";
      pendingEl.textContent = String(pending.length);
      sentEl.textContent = String(sentCount);
      conflictsEl.innerHTML = "";
      return Promise.all(conflicts.map(function (item) {
        return decrypt(item.box).then(function (visit) {
          var li = document.createElement("li");
          li.setAttribute("data-testid", "field-conflict");
          var label = document.createElement("span");
          label.textContent = visit.target_label + " " + visit.occurred_at.replace("T", " ").slice(0, 16) + ": " + item.error;
          var button = document.createElement("button");
          button.type = "button";
          button.className = "btn btn--link";
          button.textContent = root.dataset.msgDiscard;
          button.addEventListener("click", function () {
            var current = JSON.parse(localStorage.getItem(STORE));
            current.items = current.items.filter(function (i) { return i.id !== item.id; });
            save(current);
            render();
          });
          li.appendChild(label);
          li.appendChild(button);
          conflictsEl.appendChild(li);
        });
      }));
    });
  }

  function checked(form, name) {
    return Array.prototype.map.call(form.querySelectorAll("input[name=" + name + "]:checked"), function (el) {
      return el.value;
    });
  }

  var form = document.getElementById("field-form");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var targetSelect = form.elements.target;
    var when = form.elements.occurred_at.value;
    var visit = {
      idempotency_key: crypto.randomUUID(),
      target: targetSelect.value,
      target_label: targetSelect.options[targetSelect.selectedIndex].text,
      kind: form.elements.kind.value,
      occurred_at: new Date(when).toISOString(),
      minutes: parseInt(form.elements.minutes.value || "0", 10),
      staff: checked(form, "staff"),
      professionals: checked(form, "professionals"),
      counterpart: form.elements.counterpart.value,
      outcome: form.elements.outcome.value,
      content: form.elements.content.value,
      next_step: form.elements.next_step.value,
    };
    var note = document.getElementById("field-form-error");
    if (!visit.target || !when || !visit.staff.length) {
      note.textContent = root.dataset.msgRequired;
      return;
    }
    note.textContent = "";
    enqueue(visit).then(function () {
      form.elements.content.value = "";
      form.elements.next_step.value = "";
      return render();
    }).then(flush);
  });

  window.addEventListener("online", function () { render().then(flush); });
  window.addEventListener("offline", render);
  document.getElementById("field-send").addEventListener("click", function () { flush(); });

  if ("serviceWorker" in navigator && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope }).catch(function () {});
  }
  render().then(flush);
})();
