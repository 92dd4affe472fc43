// CallBridge operator console: plain ES module, no framework, no build. Every call goes to the admin
// JSON API with the operator's token as a Bearer header (kept in sessionStorage, never a cookie, so
// there is nothing for a forged cross-site request to ride on). All text is put in with textContent.

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const TOKEN = 'callbridge.console.token';

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

class Refused extends Error {}

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN);
  const headers = { Authorization: 'Bearer ' + token, ...(options.body ? { 'Content-Type': 'application/json' } : {}) };
  const response = await fetch(path, { ...options, headers });
  let body = {};
  try { body = await response.json(); } catch (e) { body = {}; }
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN);
    throw new Refused(body.error || 'the admin token was refused');
  }
  return { status: response.status, body };
}

function show(...nodes) {
  main.replaceChildren(...nodes);
}

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 90) return seconds + ' s';
  if (seconds < 5400) return Math.round(seconds / 60) + ' min';
  if (seconds < 172800) return Math.round(seconds / 3600) + ' h';
  return Math.round(seconds / 86400) + ' d';
}

function table(columns, rows) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col' }, c.title)))),
    h('tbody', {}, rows.length === 0
      ? h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, 'nothing here'))
      : rows.map(r => h('tr', {}, columns.map(c => h('td', { class: c.num ? 'num' : null }, c.cell(r))))))));
}

function sparkline(values) {
  const w = 160, hgt = 36;
  const max = Math.max(1e-9, ...values);
  const points = values.map((v, i) => `${(i / Math.max(1, values.length - 1)) * w},${hgt - (v / max) * (hgt - 2) - 1}`);
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('aria-hidden', 'true');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points.join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', '#0b5cad');
  line.setAttribute('stroke-width', '1.5');
  svg.append(line);
  return svg;
}

function card(title, value, series) {
  return h('div', { class: 'card' }, h('div', { class: 'k' }, title), h('div', { class: 'v' }, value),
    series && series.length > 1 ? sparkline(series) : null);
}

function confirmAction(title, details) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-body').replaceChildren(...details);
  dialog.returnValue = '';
  dialog.showModal();
  document.getElementById('confirm-ok').focus();
  return new Promise(resolve => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

// ---- sign-in -----------------------------------------------------------------------------------

function signIn(message) {
  nav.hidden = true;
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'current-password', required: true,
    'aria-describedby': 'signin-help' });
  const error = h('p', { class: 'error', role: 'alert', id: 'signin-error' }, message || '');
  show(h('h1', {}, 'Sign in'),
    h('form', { class: 'row', onsubmit: async e => {
      e.preventDefault();
      sessionStorage.setItem(TOKEN, input.value.trim());
      try {
        await api('/admin/queues');
        location.hash = '#/overview';
        route();
      } catch (err) {
        signIn(err instanceof Refused ? 'That token was refused: ' + err.message : 'The gateway did not answer: ' + err.message);
      }
    } }, h('label', { for: 'token' }, 'Admin token', input), h('button', { type: 'submit' }, 'Sign in')),
    h('p', { id: 'signin-help', class: 'muted' },
      'An admin token: CALLBRIDGE_ADMIN_TOKEN or one of server.adminTokens (a viewer token reads, an operator token also replays and cancels).'),
    error);
  input.focus();
}

// ---- pages -------------------------------------------------------------------------------------

async function overview() {
  const [{ body: r }, { body: q }] = await Promise.all([api('/admin/readings'), api('/admin/queues')]);
  const readings = r.readings || [];
  const latest = readings[readings.length - 1] || { routes: {}, destinations: {}, outbox: {}, correlation: {} };
  const sum = (reading, key) => Object.values(reading.routes || {}).reduce((a, x) => a + (x[key] || 0), 0);
  const series = f => readings.map(f);
  const queues = q.queues || {};
  show(h('h1', {}, 'Overview'),
    h('p', { class: 'muted' }, `The last ${Math.round(readings.length * 10 / 60)} minutes, a reading every 10 s, kept in the gateway.`),
    h('div', { class: 'cards' },
      card('Requests/s', sum(latest, 'rps').toFixed(1), series(x => sum(x, 'rps'))),
      card('5xx/s', sum(latest, 'errorsPerSecond').toFixed(2), series(x => sum(x, 'errorsPerSecond'))),
      card('Outbox pending', latest.outbox.pending ?? 0, series(x => x.outbox.pending || 0)),
      card('Oldest pending', age(latest.outbox.oldestPendingSeconds), series(x => x.outbox.oldestPendingSeconds || 0)),
      card('Dead', queues.dead ? queues.dead.count : 0, series(x => x.outbox.dead || 0)),
      card('Unmatched', queues.unmatched ? queues.unmatched.count : 0, series(x => x.outbox.unmatched || 0)),
      card('Correlation cache', latest.correlation.cacheEntries ?? 0, series(x => x.correlation.cacheEntries || 0)),
      card('Write queue', latest.correlation.queueDepth ?? 0, series(x => x.correlation.queueDepth || 0)),
      card('Event-loop lag (max, ms)', latest.loopLagMaxMs ?? 0, series(x => x.loopLagMaxMs || 0))),
    h('h2', {}, 'Routes'),
    table([
      { title: 'route', cell: x => x[0] },
      { title: 'req/s', num: true, cell: x => x[1].rps.toFixed(2) },
      { title: '5xx/s', num: true, cell: x => x[1].errorsPerSecond.toFixed(2) },
      { title: 'p50 ms', num: true, cell: x => x[1].p50Ms ?? '—' },
      { title: 'p99 ms', num: true, cell: x => x[1].p99Ms ?? '—' },
      { title: 'last 15 min', cell: x => sparkline(series(y => (y.routes[x[0]] || {}).rps || 0)) },
    ], Object.entries(latest.routes)));
}

async function destinations() {
  const { body: r } = await api('/admin/readings');
  const readings = r.readings || [];
  const latest = readings[readings.length - 1] || { destinations: {} };
  show(h('h1', {}, 'Destinations'),
    table([
      { title: 'destination', cell: x => x[0] },
      { title: 'breaker', cell: x => h('span', { class: x[1].breaker === 'closed' ? 'ok' : 'bad' }, x[1].breaker || 'closed') },
      { title: 'req/s', num: true, cell: x => x[1].rps.toFixed(2) },
      { title: 'not ok/s', num: true, cell: x => x[1].errorsPerSecond.toFixed(2) },
      { title: 'p50 ms', num: true, cell: x => x[1].p50Ms ?? '—' },
      { title: 'p99 ms', num: true, cell: x => x[1].p99Ms ?? '—' },
      { title: 'pool in use', num: true, cell: x => x[1].poolInUse ?? 0 },
      { title: 'waiting', num: true, cell: x => x[1].poolWaiting ?? 0 },
      { title: 'last 15 min', cell: x => sparkline(readings.map(y => (y.destinations[x[0]] || {}).rps || 0)) },
    ], Object.entries(latest.destinations)));
}

function attemptsOf(p) {
  return (p.attemptLog || []).map(a => h('li', {},
    h('time', { datetime: a.startedAt }, when(a.startedAt)),
    `attempt ${a.attempt}: ${a.outcome}${a.httpStatus ? ' (HTTP ' + a.httpStatus + ')' : ''}, ${a.latencyMs ?? '?'} ms`,
    a.error ? h('div', { class: 'bad' }, a.error) : null,
    a.response ? h('pre', {}, a.response) : null));
}

function requestOf(p) {
  const r = p.request || {};
  return h('pre', {}, `${r.method || ''} ${r.uri || ''}\n${Object.entries(r.headers || {}).map(([k, v]) => k + ': ' + v).join('\n')}\n\n${r.body || ''}`);
}

async function act(p, action) {
  const ok = await confirmAction(action === 'replay' ? `Replay postback ${p.id}?` : `Cancel postback ${p.id}?`, [
    h('p', {}, action === 'replay'
      ? `It goes back to pending and is sent to ${p.destination} again, with a fresh set of attempts:`
      : `It will not be sent (again). Now ${p.status}; what it would have sent to ${p.destination}:`),
    requestOf(p)]);
  if (!ok) return null;
  const { status, body } = await api(`/admin/postbacks/${p.id}/${action}`, { method: 'POST' });
  return { status, body };
}

function postbackRow(p, refresh) {
  const message = h('div', { role: 'status' });
  return {
    p,
    actions: h('div', { class: 'actions' },
      h('a', { href: `#/postback/${p.id}` }, 'details'),
      ['dead', 'cancelled', 'unmatched'].includes(p.status) ? h('button', { type: 'button', class: 'secondary', onclick: async () => {
        const r = await act(p, 'replay');
        if (r) { message.textContent = r.status === 200 ? 'replayed: ' + (r.body.status || '') : r.body.error; refresh(); }
      } }, 'Replay') : null,
      ['pending', 'dead', 'unmatched', 'conflict'].includes(p.status) ? h('button', { type: 'button', class: 'secondary', onclick: async () => {
        const r = await act(p, 'cancel');
        if (r) { message.textContent = r.status === 200 ? 'cancelled' : r.body.error; refresh(); }
      } }, 'Cancel') : null,
      message),
  };
}

async function postbacks() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const status = h('select', { id: 'f-status', name: 'status' }, ['', 'pending', 'dead', 'unmatched', 'conflict', 'delivered',
    'skipped', 'reconciled', 'cancelled'].map(s => h('option', { value: s, selected: params.get('status') === s }, s || 'any')));
  const routeInput = h('input', { id: 'f-route', name: 'route', value: params.get('route') || '', size: 14 });
  const destInput = h('input', { id: 'f-destination', name: 'destination', value: params.get('destination') || '', size: 14 });
  const since = h('select', { id: 'f-since', name: 'since' }, ['1h', '24h', '7d', '30d'].map(s =>
    h('option', { value: s, selected: (params.get('since') || '24h') === s }, s)));
  const query = () => {
    const q = new URLSearchParams({ since: since.value, limit: '200' });
    if (status.value) q.set('status', status.value);
    if (routeInput.value) q.set('route', routeInput.value);
    if (destInput.value) q.set('destination', destInput.value);
    return q;
  };
  const list = h('div', {});
  const queues = h('div', { class: 'cards' });
  const refresh = async () => {
    const [{ body: q }, { status: code, body }] = await Promise.all([api('/admin/queues'), api('/admin/postbacks?' + query())]);
    queues.replaceChildren(...['dead', 'unmatched', 'conflict', 'pending'].map(s =>
      card(`${s} (oldest ${age(((q.queues || {})[s] || {}).oldestAgeSeconds)})`, ((q.queues || {})[s] || {}).count ?? 0)));
    if (code !== 200) { list.replaceChildren(h('p', { class: 'error' }, body.error || 'refused')); return; }
    const rows = body.postbacks.map(p => postbackRow(p, refresh));
    list.replaceChildren(table([
      { title: 'id', num: true, cell: r => r.p.id },
      { title: 'created', cell: r => when(r.p.createdAt) },
      { title: 'route', cell: r => r.p.route },
      { title: 'call', cell: r => r.p.callId ? h('a', { href: '#/call?q=' + encodeURIComponent(r.p.callId) }, r.p.callId) : '—' },
      { title: 'status', cell: r => h('span', { class: 'status ' + r.p.status }, r.p.status) },
      { title: 'attempts', num: true, cell: r => `${r.p.attempts}/${r.p.maxAttempts}` },
      { title: 'last error', cell: r => r.p.lastError || '' },
      { title: '', cell: r => r.actions },
    ], rows));
  };
  const bulk = h('button', { type: 'button', class: 'danger', onclick: async () => {
    if (!['dead', 'cancelled', 'unmatched'].includes(status.value)) {
      await confirmAction('Bulk replay', [h('p', {}, 'Choose a status of dead, cancelled or unmatched first: only those are replayed.')]);
      return;
    }
    const q = query();
    const ok = await confirmAction('Replay every matching postback?', [h('p', {},
      `Every ${status.value} postback${routeInput.value ? ' of route ' + routeInput.value : ''} created in the last ${since.value} ` +
      'goes back to pending and is sent again (at most 1,000).')]);
    if (!ok) return;
    const { body } = await api('/admin/postbacks/replay', { method: 'POST', body: JSON.stringify({
      status: status.value, route: routeInput.value || undefined, since: since.value, limit: 1000 }) });
    bulkResult.textContent = body.error ? body.error : `${body.replayed} replayed`;
    refresh();
  } }, 'Replay all matching');
  const bulkResult = h('span', { role: 'status' });
  show(h('h1', {}, 'Postbacks'), h('h2', {}, 'Queues that need a person'), queues,
    h('h2', {}, 'Postbacks'),
    h('form', { class: 'row', onsubmit: e => { e.preventDefault(); history.replaceState(null, '', '#/postbacks?' + query()); refresh(); } },
      h('label', { for: 'f-status' }, 'status', status), h('label', { for: 'f-route' }, 'route', routeInput),
      h('label', { for: 'f-destination' }, 'destination', destInput), h('label', { for: 'f-since' }, 'created in the last', since),
      h('button', { type: 'submit' }, 'Show'), bulk, bulkResult),
    list);
  await refresh();
}

async function postback(id) {
  const { status, body: p } = await api('/admin/postbacks/' + encodeURIComponent(id));
  if (status !== 200) { show(h('h1', {}, 'Postback ' + id), h('p', { class: 'error' }, p.error)); return; }
  const row = postbackRow(p, () => postback(id));
  show(h('h1', {}, `Postback ${p.id} `, h('span', { class: 'status ' + p.status }, p.status)),
    h('p', {}, `${p.route} → ${p.destination}, call `, p.callId ? h('a', { href: '#/call?q=' + encodeURIComponent(p.callId) }, p.callId) : '—',
      `, created ${when(p.createdAt)}`), row.actions,
    p.action ? h('p', { class: 'muted' }, p.action) : null,
    h('h2', {}, 'What came in'), h('pre', {}, `${p.inbound.method} ?${p.inbound.query || ''}\n${p.inbound.body || ''}`),
    h('h2', {}, 'What is sent'), requestOf(p),
    h('h2', {}, 'Attempts'), h('ol', { class: 'timeline' }, attemptsOf(p)));
}

async function call() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const input = h('input', { id: 'call-q', name: 'q', value: params.get('q') || '', size: 30, required: true,
    placeholder: 'call_uuid, inboundCallId, bidId, ping_id, lead id or a caller number' });
  const result = h('div', {});
  const search = async () => {
    const q = input.value.trim();
    if (!q) return;
    history.replaceState(null, '', '#/call?q=' + encodeURIComponent(q));
    const { status, body } = await api('/admin/calls/' + encodeURIComponent(q));
    if (status !== 200) { result.replaceChildren(h('p', { class: 'error', role: 'alert' }, body.error || 'no such call')); return; }
    const events = [];
    for (const [kind, id] of Object.entries(body.ids || {})) {
      events.push({ at: id.seenAt, text: `${kind} ${id.value} seen by ${id.route}` + (id.bidAmount !== undefined ? ` (bid $${id.bidAmount}, expires ${when(id.expiresAt)})` : '') + (id.subdomain ? ` (${id.subdomain})` : '') });
    }
    for (const e of body.enrichments || []) {
      events.push({ at: e.at, text: `enrich ${e.route} (${e.mode}): ${e.accept ? 'accepted' : 'not accepted'}`,
        detail: (e.targets || []).map(t => `${t.name}: ${t.outcome}${t.status ? ' ' + t.status : ''}, ${t.latency_ms} ms`).join('\n') });
    }
    for (const p of body.pings || []) {
      const winner = (p.targets || []).find(t => t.winner);
      events.push({ at: p.at, text: `ping ${p.route}: ` + (p.accept ? `won by ${winner ? winner.target + ' at $' + winner.bid_amount : '?'}` : 'no bid'),
        detail: (p.targets || []).map(t => `${t.winner ? '★ ' : ''}${t.target}: ${t.result}${t.bid_amount ? ' $' + t.bid_amount : ''}`
          + `${t.reject_code ? ' (' + t.reject_code + ')' : ''}, ${t.latency_ms} ms`).join('\n') });
    }
    const seen = new Map();
    for (const id of Object.values(body.ids || {})) {
      const { body: list } = await api('/admin/postbacks?since=30d&limit=100&call=' + encodeURIComponent(id.value));
      for (const p of list.postbacks || []) seen.set(p.id, p);
    }
    for (const p of seen.values()) {
      const { body: full } = await api('/admin/postbacks/' + p.id);
      events.push({ at: full.createdAt, text: `postback ${full.id} (${full.route} → ${full.destination}): ${full.status}`, link: '#/postback/' + full.id,
        detail: `${full.request.method} ${full.request.uri}\n${full.request.body || ''}` });
      for (const a of full.attemptLog || []) {
        events.push({ at: a.startedAt, text: `  attempt ${a.attempt} of postback ${full.id}: ${a.outcome}${a.httpStatus ? ' (HTTP ' + a.httpStatus + ')' : ''}`, detail: a.error || a.response || '' });
      }
    }
    events.sort((a, b) => String(a.at).localeCompare(String(b.at)));
    result.replaceChildren(
      h('h2', {}, 'Ids'),
      table([{ title: 'kind', cell: x => x[0] }, { title: 'value', cell: x => x[1].value }, { title: 'first seen', cell: x => when(x[1].seenAt) },
        { title: 'by route', cell: x => x[1].route }], Object.entries(body.ids || {})),
      h('h2', {}, 'Timeline'),
      h('ol', { class: 'timeline', id: 'timeline' }, events.map(e => h('li', {}, h('time', { datetime: e.at }, when(e.at)),
        e.link ? h('a', { href: e.link }, e.text) : e.text, e.detail ? h('pre', {}, e.detail) : null))));
  };
  show(h('h1', {}, 'Call'),
    h('form', { class: 'row', role: 'search', onsubmit: e => { e.preventDefault(); search(); } },
      h('label', { for: 'call-q' }, 'Any id of the call, or the caller in any format', input), h('button', { type: 'submit' }, 'Find')),
    result);
  input.focus();
  if (input.value) await search();
}

async function audit() {
  const { body } = await api('/admin/audit?since=30d&limit=200');
  show(h('h1', {}, 'Audit'), h('p', { class: 'muted' }, 'Every change made through the admin API: replays, cancels, fixes.'),
    table([
      { title: 'when', cell: a => when(a.at) }, { title: 'token', cell: a => a.token }, { title: 'role', cell: a => a.role },
      { title: 'action', cell: a => a.action }, { title: 'target', cell: a => a.target }, { title: 'rows', num: true, cell: a => a.rows },
      { title: 'answer', num: true, cell: a => a.status },
    ], body.audit || []));
}

function money(v) {
  return v === null || v === undefined ? '—' : '$' + v;
}

async function fixMismatch(run, m, message) {
  const { status, body } = await api('/admin/reconcile/fix', { method: 'POST', body: JSON.stringify({ run, mismatch: m.n }) });
  if (status !== 200) {
    await confirmAction(`Mismatch ${m.n} cannot be fixed by a postback`, [h('p', {}, body.error || ('answered ' + status))]);
    return;
  }
  const fix = body.fix;
  const ok = await confirmAction(`Send the postback that fixes mismatch ${m.n}?`, [
    h('p', {}, fix.explanation),
    h('p', {}, `It goes to route ${fix.route} as if the platform had sent it, through the outbox like any other:`),
    h('pre', {}, JSON.stringify(fix.fields, null, 2))]);
  if (!ok) return;
  const sent = await api('/admin/reconcile/fix', { method: 'POST', body: JSON.stringify({ run, mismatch: m.n, confirm: true }) });
  message.textContent = sent.status === 200
    ? `sent: ${fix.route} answered ${sent.body.postbackStatus}; run it again once it is delivered`
    : (sent.body.error || (sent.body.postback || {}).error || 'refused: ' + sent.status);
}

function callLink(id) {
  return id ? h('a', { href: '#/call?q=' + encodeURIComponent(id) }, id) : '—';
}

function mismatchTable(report) {
  // Narrow on purpose: the words say which amounts differ, and the Fix button stays in view.
  return table([
    { title: 'n', num: true, cell: m => m.n },
    { title: 'kind', cell: m => h('span', { class: 'status dead' }, m.kind) },
    { title: 'calls', cell: m => h('div', {}, h('div', {}, 'TrackDrive ', callLink(m.trackdriveCall)),
      h('div', {}, 'Ringba ', callLink(m.ringbaCall))) },
    { title: 'at stake', num: true, cell: m => money(m.atStake) },
    { title: 'what differs', cell: m => m.detail },
    { title: 'CallBridge', cell: m => (m.callbridge || []).length === 0 ? 'nothing for this call'
      : h('div', {}, m.callbridge.map(o => h('div', {}, h('a', { href: '#/postback/' + o.id }, `${o.route} ${o.id}`), ` ${o.status}`))) },
    { title: '', cell: m => {
      const message = h('div', { role: 'status' });
      return h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary',
        onclick: () => fixMismatch(report.run, m, message) }, 'Fix…'), message);
    } },
  ], report.mismatches);
}

async function reconcile() {
  const since = h('select', { id: 'r-since', name: 'since' }, ['1h', '6h', '24h', '7d'].map(s =>
    h('option', { value: s, selected: s === '24h' }, s)));
  const result = h('div', { id: 'reconcile-result' });
  const runs = h('div', {});
  const listRuns = async () => {
    const { body } = await api('/admin/reconcile/runs');
    runs.replaceChildren(table([
      { title: 'run', num: true, cell: r => r.id }, { title: 'started', cell: r => when(r.startedAt) },
      { title: 'window', cell: r => `${when(r.from)} .. ${when(r.to)}` },
      { title: 'TrackDrive calls', num: true, cell: r => r.trackdriveCalls ?? '—' },
      { title: 'Ringba calls', num: true, cell: r => r.ringbaCalls ?? '—' },
      { title: 'mismatches', num: true, cell: r => r.error ? h('span', { class: 'bad' }, 'failed: ' + r.error) : (r.mismatches ?? 'running') },
    ], body.runs || []));
  };
  const run = async () => {
    result.replaceChildren(h('p', { role: 'status' }, 'Reading both platforms…'));
    const { status, body } = await api('/admin/reconcile', { method: 'POST', body: JSON.stringify({ since: since.value }) });
    if (status !== 200) {
      result.replaceChildren(h('p', { class: 'error', role: 'alert' }, body.error || ('answered ' + status)));
    } else if (body.mismatches.length === 0) {
      result.replaceChildren(h('p', { class: 'ok', role: 'status' },
        `Run ${body.run}: both platforms agree on every call's money (TrackDrive ${body.trackdriveCalls} calls, Ringba ${body.ringbaCalls} calls).`));
    } else {
      result.replaceChildren(h('p', { role: 'status' },
        `Run ${body.run}: ${body.mismatches.length} mismatch(es), $${body.atStake} at stake (TrackDrive ${body.trackdriveCalls} calls, Ringba ${body.ringbaCalls} calls).`),
        mismatchTable(body));
    }
    await listRuns();
  };
  show(h('h1', {}, 'Reconcile'),
    h('p', { class: 'muted' }, 'Both platforms\' own records of a window, compared call by call: every call whose money differs, with what CallBridge received and sent. A fix is a dry run until you confirm it.'),
    h('form', { class: 'row', onsubmit: e => { e.preventDefault(); run(); } },
      h('label', { for: 'r-since' }, 'the last', since), h('button', { type: 'submit', id: 'r-run' }, 'Reconcile')),
    result, h('h2', {}, 'Recent runs'), runs);
  await listRuns();
}

// ---- routing -----------------------------------------------------------------------------------

const pages = { overview, call, postbacks, destinations, reconcile, audit };

async function route() {
  if (!sessionStorage.getItem(TOKEN)) { signIn(); return; }
  nav.hidden = false;
  const path = location.hash.replace(/^#\//, '').split('?')[0] || 'overview';
  const [name, arg] = path.split('/');
  for (const a of nav.querySelectorAll('a')) {
    a.toggleAttribute('aria-current', a.getAttribute('href') === '#/' + name);
    if (a.getAttribute('href') === '#/' + name) a.setAttribute('aria-current', 'page');
  }
  try {
    if (name === 'postback') await postback(arg);
    else await (pages[name] || overview)();
  } catch (err) {
    if (err instanceof Refused) signIn('That token was refused: ' + err.message);
    else show(h('p', { class: 'error', role: 'alert' }, 'The gateway did not answer: ' + err.message));
  }
}

document.getElementById('signout').addEventListener('click', () => { sessionStorage.removeItem(TOKEN); signIn('Signed out.'); });
window.addEventListener('hashchange', route);
route();
