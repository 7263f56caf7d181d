/**
 * The simulator's web page: plain HTML, a little vanilla JS and CSS, served as three static texts
 * (separate files so the Content-Security-Policy can forbid inline script). The script polls
 * `/api/state` every second and renders pending pushes with **Approve** / **Deny** buttons
 * (`data-action`, `data-push-id`, row `data-user`), each user's current passcode, the history, and
 * the integration values to copy into a config. Text from the network is only ever set with
 * `textContent` (user names come from RADIUS User-Name).
 */

/** `GET /`. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>authproxy push simulator</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
  <h1>authproxy push simulator</h1>
  <p>A stand-in for Duo's service and Duo Mobile, for trying authproxy without a Duo account.
  Logins sent through the proxy show up here as pushes; approve or deny them like on a phone.
  <span id="status" role="status">Connecting…</span></p>
</header>
<main>
<section aria-labelledby="pending-title">
  <h2 id="pending-title">Pending pushes</h2>
  <table id="pending">
    <thead><tr><th scope="col">User</th><th scope="col">Client IP</th><th scope="col">Time</th><th scope="col">Factor</th><th scope="col">Expires in</th><th scope="col">Answer</th></tr></thead>
    <tbody></tbody>
  </table>
  <p id="no-pending">No login is waiting. Send one with <code>authproxyctl test-login</code> or your NAS.</p>
</section>
<section aria-labelledby="users-title">
  <h2 id="users-title">Users and passcodes</h2>
  <p>Every user is enrolled on first sight with one phone. Log in with <code>password,123456</code>
  (the current passcode) or answer the proxy's passcode prompt; codes change every 30 s.</p>
  <table id="users">
    <thead><tr><th scope="col">User</th><th scope="col">Phone</th><th scope="col">Passcode</th><th scope="col">Changes in</th><th scope="col">SMS passcodes</th></tr></thead>
    <tbody></tbody>
  </table>
</section>
<section aria-labelledby="history-title">
  <h2 id="history-title">Recent answers</h2>
  <ol id="history"></ol>
</section>
<section aria-labelledby="integration-title">
  <h2 id="integration-title">Integration (copy into authproxy.cfg)</h2>
  <pre id="integration"></pre>
</section>
</main>
</body>
</html>
`;

/** `GET /app.css`. */
export const PAGE_CSS = `body { font: 15px/1.4 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #222; }
h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.1rem; margin-top: 1.6rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid #eee; }
#status { margin-left: 0.5rem; font-size: 0.85rem; color: #666; }
.passcode { font: 1.2rem/1 ui-monospace, monospace; letter-spacing: 0.1em; }
button { font-size: 0.95rem; padding: 0.3rem 0.9rem; margin-right: 0.4rem; border-radius: 4px; border: 1px solid #888; cursor: pointer; }
button[data-action="approve"] { background: #1f7a3a; color: #fff; border-color: #1f7a3a; }
button[data-action="deny"] { background: #b3261e; color: #fff; border-color: #b3261e; }
button:disabled { opacity: 0.5; cursor: default; }
pre { background: #f5f5f5; padding: 0.8rem; overflow-x: auto; }
[hidden] { display: none; }
`;

/** `GET /app.js`. */
export const PAGE_JS = `'use strict';
(function () {
  var shownPending = '';
  var shownUsers = '';

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.append(c); });
    return e;
  }
  function secondsLeft(at) { return Math.max(0, Math.ceil((at - Date.now()) / 1000)) + ' s'; }
  function clock(at) { return new Date(at).toLocaleTimeString(); }

  function button(action, label, push) {
    return el('button', { type: 'button', 'data-action': action, 'data-push-id': push.id, 'data-user': push.user }, [label]);
  }

  function renderPending(list) {
    var key = JSON.stringify(list.map(function (p) { return p.id; }));
    document.getElementById('no-pending').hidden = list.length > 0;
    if (key !== shownPending) {
      shownPending = key;
      var rows = list.map(function (p) {
        return el('tr', { 'data-push-id': p.id, 'data-user': p.user, 'data-factor': p.factor }, [
          el('td', {}, [p.user]), el('td', {}, [p.ipaddr]), el('td', {}, [clock(p.createdAt)]),
          el('td', {}, [p.factor]), el('td', { 'data-expires': String(p.expiresAt) }, ['']),
          el('td', {}, [button('approve', 'Approve', p), button('deny', 'Deny', p)])
        ]);
      });
      document.querySelector('#pending tbody').replaceChildren.apply(document.querySelector('#pending tbody'), rows);
    }
    countdowns();
  }

  function countdowns() {
    document.querySelectorAll('[data-expires], [data-changes]').forEach(function (td) {
      td.textContent = secondsLeft(Number(td.getAttribute('data-expires') || td.getAttribute('data-changes')));
    });
  }

  function renderUsers(users) {
    var key = JSON.stringify(users);
    if (key !== shownUsers) {
      shownUsers = key;
      var rows = users.map(function (u) {
        return el('tr', { 'data-user': u.user }, [
          el('td', {}, [u.user]), el('td', {}, [u.number]),
          el('td', { 'class': 'passcode', 'data-passcode': u.passcode }, [u.passcode]),
          el('td', { 'data-changes': String(u.passcodeExpiresAt) }, ['']),
          el('td', { 'class': 'passcode' }, [u.smsCodes.join(' ')])
        ]);
      });
      document.querySelector('#users tbody').replaceChildren.apply(document.querySelector('#users tbody'), rows);
    }
    countdowns();
  }

  function renderHistory(history) {
    var items = history.map(function (h) {
      return el('li', {}, [clock(h.at) + ' ' + h.user + ' (' + h.factor + '): ' + h.result]);
    });
    document.getElementById('history').replaceChildren.apply(document.getElementById('history'), items);
  }

  function renderIntegration(i) {
    document.getElementById('integration').textContent =
      '[main]\\nhttp_ca_certs_file=' + i.caCertPath + '\\n\\n[radius_server_auto]\\nikey=' + i.ikey +
      '\\nskey=(in ' + i.integrationFile + ')\\napi_host=' + i.apiHost + '\\napi_port=' + i.apiPort + '\\n';
  }

  function render(s) {
    renderPending(s.pending);
    renderUsers(s.users);
    renderHistory(s.history);
    renderIntegration(s.integration);
  }

  function refresh() {
    return fetch('/api/state', { cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (s) { render(s); document.getElementById('status').textContent = 'Live'; })
      .catch(function () { document.getElementById('status').textContent = 'Simulator not reachable; retrying…'; });
  }

  function answer(btn) {
    var row = btn.closest('tr');
    row.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
    var url = '/api/pushes/' + encodeURIComponent(btn.getAttribute('data-push-id')) + '/' + btn.getAttribute('data-action');
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      .then(function (r) { if (!r.ok) shownPending = ''; }, function () { shownPending = ''; })
      .then(refresh);
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.getElementById('pending').addEventListener('click', function (ev) {
      var btn = ev.target.closest('button[data-action]');
      if (btn && !btn.disabled) answer(btn);
    });
    refresh();
    setInterval(countdowns, 250);
    setInterval(refresh, 1000);
  });
})();
`;
